import { Writable } from 'node:stream';
import pino from 'pino';

/** A pino logger whose lines are kept, to check what was (not) logged. */
export function capturingLogger(): { logger: pino.Logger; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines: () => chunks.join('') };
}
