/** `npm start`'s process: one-line config errors, a served health route, a graceful SIGTERM. */
import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../support/stores.js';

const MAIN = ['--import', 'tsx', 'server/main.ts'];

describe('server/main.ts', () => {
  it('stops with exactly one line on a configuration error', () => {
    const out = spawnSync(process.execPath, MAIN, {
      env: { ...process.env, PORT: 'abc', DATA_DIR: tempDir() },
      encoding: 'utf8',
    });
    expect(out.status).toBe(1);
    expect(out.stderr.trim().split('\n')).toEqual([
      'Configuration error: PORT "abc" is not a port number; set PORT to a whole number between 1 and 65535 (default 3000; 0 picks a free port).',
    ]);
  });

  it('serves /api/health with the embedded store, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, MAIN, {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', JIRA_BASE_URL: '', MONGODB_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 25_000);
      child.stdout.on('data', () => {
        const m = /ready: (http:\/\/[^/\s]+)\/tab/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect(url).not.toMatch(/:0$/);
    const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string; store: string };
    expect(health).toMatchObject({ status: 'ok', store: 'embedded' });
    expect(existsSync(join(dataDir, '.lock'))).toBe(true);

    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(log).toMatch(/Shutting down \(SIGTERM\)/);
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 408 and closes a connection whose body does not arrive within REQUEST_TIMEOUT_SECONDS', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, MAIN, {
      env: {
        ...process.env,
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        JIRA_BASE_URL: '',
        MONGODB_URI: '',
        REQUEST_TIMEOUT_SECONDS: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let log = '';
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 25_000);
        child.stdout.on('data', (d: Buffer) => {
          log += d.toString();
          const m = /ready: (http:\/\/[^/\s]+)\/tab/.exec(log);
          if (m) {
            clearTimeout(timer);
            resolve(new URL(m[1]!));
          }
        });
      });
      // A slow sender: headers, then 10 of the 1000 bytes it announced, then nothing.
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /api/postmortems?dryRun=true HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: text/markdown\r\nContent-Length: 1000\r\n\r\n# Post-mor`,
          );
        });
        let received = '';
        socket.on('data', (d: Buffer) => (received += d.toString()));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
        setTimeout(() => reject(new Error('the connection was still open after 20 s')), 20_000).unref();
      });
      const tookMs = Date.now() - started;
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(tookMs).toBeGreaterThanOrEqual(1500);
      expect(tookMs).toBeLessThan(15_000);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
