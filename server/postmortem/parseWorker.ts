/** The worker thread read.ts parses post-mortems in: one document per message. */
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { DomainError, InputError, LimitExceededError } from '../errors.js';
import { parsePostmortem, PostmortemParseError } from './parse.js';
import type { ParseRequest, ParseReply } from './read.js';

const port = parentPort!;
port.on('message', (request: ParseRequest) => {
  let reply: ParseReply;
  try {
    reply = {
      id: request.id,
      ok: true,
      parsed: parsePostmortem(request.markdown, {
        now: new Date(request.now),
        ...(request.zone ? { zone: request.zone } : {}),
      }),
    };
  } catch (error) {
    if (error instanceof PostmortemParseError)
      reply = { id: request.id, ok: false, kind: 'problems', problems: error.problems };
    else if (error instanceof LimitExceededError)
      reply = {
        id: request.id,
        ok: false,
        kind: 'limit',
        limit: error.limit,
        tooLarge: error.tooLarge,
        message: error.message,
      };
    else if (error instanceof InputError)
      reply = { id: request.id, ok: false, kind: 'input', message: error.message, parameter: error.parameter };
    else if (error instanceof RangeError) {
      // Too deep for the parser's recursion despite the pre-check: a limit, not a crash.
      reply = {
        id: request.id,
        ok: false,
        kind: 'limit',
        limit: 'nesting depth',
        tooLarge: false,
        message:
          'The post-mortem is over the nesting depth limit: it nests too deep to read (docs: SECURITY.md lists the limits).',
      };
    } else
      reply = {
        id: request.id,
        ok: false,
        kind: 'error',
        message: error instanceof DomainError || error instanceof Error ? error.message : String(error),
      };
  }
  port.postMessage(reply);
});
// Parsing time is counted once the worker says it is ready: the imports are loaded and a
// small document has been read once, so the first real one is not charged for the warm-up.
const WARM_UP =
  '# Post-mortem: OPS-1\n\n> quote\n\n- **Severity:** P1\n- [link](https://example.com)\n\n| Time | Event |\n|---|---|\n| 10:00 | *x* |\n';
try {
  parsePostmortem(WARM_UP, { now: new Date(0) });
} catch {
  // The warm-up document need not be complete; reading it is what warms the parser.
}
// This thread's id, so the main thread can read its CPU time (Linux; null elsewhere).
function threadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || null;
  } catch {
    return null;
  }
}
port.postMessage({ ready: true, tid: threadId() });
