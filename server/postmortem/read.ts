/**
 * Reading a post-mortem within the limits (limits.ts): the linear pre-check on the
 * caller's thread, then the parse in a worker thread, stopped after PARSE_TIME_LIMIT_MS.
 * The server's event loop never runs the parser, so no request waits on another's
 * document. One worker per reader, reused; documents queue for it; a worker that overran
 * its time is terminated and the next document starts a fresh one. The composition root
 * builds one reader (server/assembly/services.ts) and closes it with the product.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { InputError, LimitExceededError } from '../errors.js';
import { checkDocumentLimits, PARSE_TIME_LIMIT_MS, PARSE_WALL_LIMIT_MS } from './limits.js';
import { PostmortemParseError, type ParsedPostmortem, type ParseOptions, type ParseProblem } from './parse.js';

export interface ParseRequest {
  id: number;
  markdown: string;
  now: string;
  zone: string | null;
}

export type ParseReply =
  | { id: number; ok: true; parsed: ParsedPostmortem }
  | { id: number; ok: false; kind: 'problems'; problems: ParseProblem[] }
  | { id: number; ok: false; kind: 'limit'; limit: string; tooLarge: boolean; message: string }
  | { id: number; ok: false; kind: 'input'; message: string; parameter: string | null }
  | { id: number; ok: false; kind: 'error'; message: string };

// TypeScript sources (tsx) start the worker through a boot file that loads them with tsx.
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './parseWorkerBoot.mjs' : './parseWorker.js',
  import.meta.url,
);

interface ParseWorker {
  thread: Worker;
  /** Settles once the worker has loaded the parser, with its Linux thread id (null elsewhere). */
  ready: Promise<number | null>;
}

/**
 * CPU milliseconds a thread of this process has used, from /proc (Linux); null where that
 * cannot be read. The parse time limit counts the worker's CPU time when it can, so a busy
 * machine (other processes, other requests) does not make a plain document time out.
 */
function threadCpuMs(tid: number | null): number | null {
  if (tid === null) return null;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after "(comm)": state is the 3rd field; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function startWorker(): ParseWorker {
  const thread = new Worker(WORKER_URL);
  const ready = new Promise<number | null>((resolve, reject) => {
    const onReady = (message: unknown): void => {
      const { ready: isReady, tid } = message as { ready?: boolean; tid?: number | null };
      if (isReady !== true) return;
      thread.off('message', onReady);
      thread.off('error', reject);
      resolve(tid ?? null);
    };
    thread.on('message', onReady);
    thread.once('error', reject);
  });
  // An idle worker does not keep a CLI or a test process alive.
  thread.unref();
  return { thread, ready };
}

function fromReply(reply: Exclude<ParseReply, { ok: true }>): Error {
  switch (reply.kind) {
    case 'problems':
      return new PostmortemParseError(reply.problems);
    case 'limit':
      return new LimitExceededError(reply.limit, reply.tooLarge, reply.message);
    case 'input':
      return new InputError(reply.message, reply.parameter);
    default:
      return new Error(`Parsing the post-mortem failed: ${reply.message}`);
  }
}

/** Reads post-mortems: the limits on the caller's thread, the parse in this reader's worker. */
export class PostmortemReader {
  private worker: ParseWorker | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  /** Parses a post-mortem within the documented limits; a document over one is a LimitExceededError. */
  read(markdown: string, options: ParseOptions): Promise<ParsedPostmortem> {
    checkDocumentLimits(markdown);
    const result = this.queue.then(() => this.parseInWorker(markdown, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops the worker (a later read starts a new one). */
  async close(): Promise<void> {
    const started = this.worker;
    this.worker = null;
    if (started) await started.thread.terminate();
  }

  private async parseInWorker(markdown: string, options: ParseOptions): Promise<ParsedPostmortem> {
    const started = (this.worker ??= startWorker());
    const current = started.thread;
    current.ref();
    let tid: number | null;
    try {
      tid = await started.ready;
    } catch (error) {
      if (this.worker === started) this.worker = null;
      throw error;
    }
    const id = this.nextId++;
    return new Promise<ParsedPostmortem>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        current.off('message', onMessage);
        current.off('error', onError);
      };
      const onMessage = (reply: ParseReply): void => {
        if (reply.id !== id) return;
        done();
        if (reply.ok) resolve(reply.parsed);
        else reject(fromReply(reply));
      };
      const onError = (error: Error): void => {
        done();
        if (this.worker === started) this.worker = null;
        reject(error);
      };
      const startedAt = Date.now();
      const cpuAtStart = threadCpuMs(tid);
      const check = (): void => {
        const cpuNow = threadCpuMs(tid);
        const used = cpuAtStart !== null && cpuNow !== null ? cpuNow - cpuAtStart : Date.now() - startedAt;
        if (used < PARSE_TIME_LIMIT_MS && Date.now() - startedAt < PARSE_WALL_LIMIT_MS) {
          // Not yet its share of CPU: the machine is busy, not the document hostile.
          timer = setTimeout(check, Math.max(PARSE_TIME_LIMIT_MS - used, 50));
          return;
        }
        done();
        void current.terminate();
        // The next document should not pay for a cold start: the replacement starts now.
        if (this.worker === started) this.worker = startWorker();
        reject(
          new LimitExceededError(
            'parse time',
            false,
            `The post-mortem is over the parse time limit: reading it took more than ${PARSE_TIME_LIMIT_MS / 1000} s of CPU time, so its markup is too complex (long runs of brackets, emphasis or nesting); simplify it (docs: SECURITY.md lists the limits).`,
          ),
        );
      };
      let timer = setTimeout(check, PARSE_TIME_LIMIT_MS);
      current.on('message', onMessage);
      current.on('error', onError);
      const request: ParseRequest = { id, markdown, now: options.now.toISOString(), zone: options.zone ?? null };
      current.postMessage(request);
    }).finally(() => {
      if (this.worker === started) current.unref();
    });
  }
}
