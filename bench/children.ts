/**
 * Child processes of the benchmark: the sync (so its peak RSS is its own) and the API server
 * (so the load generator in this process does not share its event loop). Both are TypeScript
 * run through tsx, like `npm run sync` and `npm start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** BENCH_CPU_PROFILE_DIR: each child writes a V8 CPU profile there (read it with bench/profileTop.ts). */
function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function spawnTs(script: string, env: NodeJS.ProcessEnv, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn(
    process.execPath,
    [...profileFlags(), '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))],
    {
      cwd: ROOT,
      env,
      stdio: [stdin, 'pipe', 'pipe'],
    },
  );
}

/** Peak and current resident memory of a process, from /proc (Linux); null elsewhere. */
export function processMemory(pid: number | undefined): { peakRssBytes: number; rssBytes: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    const peak = kb('VmHWM');
    const rss = kb('VmRSS');
    return Number.isNaN(peak) || Number.isNaN(rss) ? null : { peakRssBytes: peak, rssBytes: rss };
  } catch {
    return null;
  }
}

/** The last JSON line a child printed to stdout, or null. */
export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // A log line that happens to start with "{": keep looking.
    }
  }
  return null;
}

/** Runs a script to its end and returns the JSON object it printed last. */
export function runChild<T>(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawnTs(script, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const result = lastJsonLine(stdout);
      if (code === 0 && result !== null) resolve(result as T);
      else reject(new Error(`${script} exited with ${signal ?? code}: ${tail(stderr || stdout) || 'no output'}`));
    });
  });
}

export interface ServerChild {
  url: string;
  /** Milliseconds from spawn to listening (process start-up and opening the store). */
  startMs: number;
  /** Peak and current RSS of the server process now (null off Linux). */
  memory(): { peakRssBytes: number; rssBytes: number } | null;
  /** Sends one command line (bench/serverChild.ts) and resolves with the JSON line it answers. */
  command(line: string, timeoutMs?: number): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts bench/serverChild.ts and resolves once it listens. */
export function startServerChild(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ServerChild> {
  const started = performance.now();
  return new Promise<ServerChild>((resolve, reject) => {
    const child = spawnTs('./serverChild.ts', env, 'pipe');
    let stdout = '';
    let stderr = '';
    let ready = false;
    let replies = '';
    let waiting: ((reply: unknown) => void) | null = null;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API server did not start within ${Math.round(timeoutMs / 1000)} s: ${tail(stderr)}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (ready) {
        replies += chunk.toString();
        const end = replies.lastIndexOf('\n');
        if (end === -1 || !waiting) return;
        const reply = lastJsonLine(replies.slice(0, end));
        replies = replies.slice(end + 1);
        if (reply !== null) {
          const done = waiting;
          waiting = null;
          done(reply);
        }
        return;
      }
      stdout += chunk.toString();
      const line = lastJsonLine(stdout) as { url?: string } | null;
      if (!line?.url) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        url: line.url,
        startMs: performance.now() - started,
        memory: () => processMemory(child.pid),
        command: (text, commandTimeoutMs = 60_000) =>
          new Promise<unknown>((done, fail) => {
            const timeout = setTimeout(
              () => fail(new Error(`the API server did not answer "${text}" within ${commandTimeoutMs} ms`)),
              commandTimeoutMs,
            );
            waiting = (reply) => {
              clearTimeout(timeout);
              done(reply);
            };
            child.stdin?.write(`${text}\n`);
          }),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(
        new Error(
          `the API server exited with ${signal ?? code} before listening: ${tail(stderr || stdout) || 'no output'}`,
        ),
      );
    });
  });
}
