/**
 * Reading a post-mortem within the limits (limits.ts): the linear pre-check on the
 * caller's thread, then the parse in a worker thread, stopped after PARSE_TIME_LIMIT_MS.
 * The server's event loop never runs the parser, so no request waits on another's
 * document. One worker, reused; documents queue for it; a worker that overran its time
 * is terminated and the next document starts a fresh one.
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

let worker: ParseWorker | null = null;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;

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

async function parseInWorker(markdown: string, options: ParseOptions): Promise<ParsedPostmortem> {
  const started = (worker ??= startWorker());
  const current = started.thread;
  current.ref();
  let tid: number | null;
  try {
    tid = await started.ready;
  } catch (error) {
    if (worker === started) worker = null;
    throw error;
  }
  const id = nextId++;
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
      if (worker === started) worker = null;
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
      if (worker === started) worker = startWorker();
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
    if (worker === started) current.unref();
  });
}

/** Parses a post-mortem within the documented limits; a document over one is a LimitExceededError. */
export function readPostmortem(markdown: string, options: ParseOptions): Promise<ParsedPostmortem> {
  checkDocumentLimits(markdown);
  const result = queue.then(() => parseInWorker(markdown, options));
  queue = result.catch(() => undefined);
  return result;
}
