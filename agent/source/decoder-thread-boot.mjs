// Worker bootstrap: Node 20 workers do not inherit tsx's loader, so register it here, then load the TypeScript
// decoder thread.
import { register } from 'tsx/esm/api';

register();
await import('./decoder-thread.ts');
