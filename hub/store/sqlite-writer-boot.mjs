// Worker bootstrap: Node 20 workers do not inherit tsx's loader, so register it here, then load the TypeScript
// writer thread.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-writer-thread.ts');
