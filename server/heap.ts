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
