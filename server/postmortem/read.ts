/**
 * Reading a post-mortem within the limits (limits.ts): the linear pre-check on the
 * caller's thread, then the parse in a worker thread, stopped after PARSE_TIME_LIMIT_MS.
 * The server's event loop never runs the parser, so no request waits on another's
 * document. One worker, reused; documents queue for it; a worker that overran its time
 * is terminated and the next document starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import { InputError, LimitExceededError } from '../errors.js';
import { checkDocumentLimits, PARSE_TIME_LIMIT_MS } from './limits.js';
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
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './parseWorkerBoot.mjs' : './parseWorker.js', import.meta.url);

interface ParseWorker {
  thread: Worker;
  /** Settles once the worker has loaded the parser. */
  ready: Promise<void>;
}

function startWorker(): ParseWorker {
  const thread = new Worker(WORKER_URL);
  const ready = new Promise<void>((resolve, reject) => {
    const onReady = (message: unknown): void => {
      if ((message as { ready?: boolean }).ready !== true) return;
      thread.off('message', onReady);
      thread.off('error', reject);
      resolve();
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
  try {
    await started.ready;
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
    const timer = setTimeout(() => {
      done();
      void current.terminate();
      // The next document should not pay for a cold start: the replacement starts now.
      if (worker === started) worker = startWorker();
      reject(new LimitExceededError('parse time', false, `The post-mortem is over the parse time limit: reading it took longer than ${PARSE_TIME_LIMIT_MS / 1000} s, so its markup is too complex (long runs of brackets, emphasis or nesting); simplify it (docs: SECURITY.md lists the limits).`));
    }, PARSE_TIME_LIMIT_MS);
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

/** Starts the parse worker ahead of the first document (the server does, when it starts). */
export function warmUpPostmortemReader(): void {
  worker ??= startWorker();
  worker.ready.catch(() => {
    // A worker that cannot start is reported by the first document that needs it.
  });
}
