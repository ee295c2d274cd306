/**
 * Logs are for people on a terminal and for machines elsewhere: the same logger writes
 * pino-pretty lines when stdout (or stderr, for the job CLIs) is a TTY, JSON otherwise.
 * The TTY is a real pseudo-terminal from util-linux `script`.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = ['--import', 'tsx', 'test/logging/logLine.ts'];
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

async function onTerminal(args: string[]): Promise<string> {
  const command = [process.execPath, ...CHILD, ...args].map((a) => `'${a}'`).join(' ');
  const { stdout } = await run('script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, TERM: 'xterm' },
  });
  return stdout.replace(ANSI, '');
}

describe('log format', () => {
  it('writes JSON lines when stdout is a pipe', async () => {
    const { stdout } = await run(process.execPath, CHILD, { cwd: ROOT });
    const line = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 30,
      msg: 'Postmortem Insights is ready',
      incidents: 3,
      service: 'postmortem-insights',
    });
  }, 30_000);

  it.each([[[]], [['stderr']]])(
    'writes human-readable lines on a terminal (%j)',
    async (args) => {
      const text = await onTerminal(args);
      expect(text).toMatch(/\d\d:\d\d:\d\d\.\d{3}\] INFO: Postmortem Insights is ready/);
      expect(text).toMatch(/incidents: 3/);
      expect(text).not.toContain('{"level"');
    },
    30_000,
  );
});
