/**
 * A project CLI (`jobs/*.ts`) as a child process, as `npm run` starts it, optionally
 * killed with SIGKILL the moment a condition holds (polled). The child is spawned as
 * `node --import tsx jobs/X.ts` so that it is the one process holding the store: npm and
 * tsx's launcher would otherwise stand in between and take the signal.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  killWhen: (() => boolean) | null = null,
): Promise<CliExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const poll =
      killWhen === null
        ? null
        : setInterval(() => {
            if (killWhen()) {
              clearInterval(poll!);
              child.kill('SIGKILL');
            }
          }, 5);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
