// Worker bootstrap: Node 20 workers do not inherit tsx's loader, so register it here, then load the TypeScript
// thread named by workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const entries = { stager: './sqlite-writer-thread.ts', folder: './sqlite-fold-thread.ts' };
await import(entries[workerData.entry]);
