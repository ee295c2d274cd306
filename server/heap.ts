/**
 * A full, compacting garbage collection on demand, without starting Node with --expose-gc
 * (the flag is set for one new context, which hands over its `gc`, and unset again).
 *
 * Used once, when the metrics state is ready and before the server listens: loading the
 * store leaves hundreds of megabytes of garbage (at five times the product scale, its files
 * read and parsed, the data file rewritten), and V8 would otherwise collect it during the
 * first requests, each full collection then costing them 0.5-0.8 s of marking on the main
 * thread (docs/benchmarks.md, "Fifth round").
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

export function collectGarbage(): void {
  if (collect === null) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') collect = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
      setFlagsFromString('--no-expose-gc');
    }
  }
  collect();
}

/**
 * How far V8 lets the old generation grow past what a full collection left alive, before it
 * collects again: 20% (its own choice goes up to 300% when the program allocates fast).
 *
 * At five times the product scale the live heap is about 500 MB (the embedded store's
 * documents and indexes, the metrics state). Under 50 clients V8 let the old generation grow
 * to four times that before collecting it, and the server's RSS to 1.8-2.3 GB; with 20% it
 * stays under 1 GB, for more frequent collections (docs/benchmarks.md, "Sixth round").
 */
export const HEAP_GROWTH_PERCENT = 20;

/**
 * Sets that growth for the rest of the process (V8 reads `--heap-growing-percent` each time it
 * sets the next collection's limit). Called once the data is loaded: while it loads, the heap
 * grows from nothing, and a collection every 20% would cost seconds of start.
 */
export function boundHeapGrowth(percent: number = HEAP_GROWTH_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
