/**
 * The container files (Dockerfile, compose.yaml, .env.example, .dockerignore) cannot run here
 * (no container engine); they are kept consistent with what does run: .ci/prod-start.sh (the
 * same build and start, tested end to end), the server's own paths, and the README's table.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { POSTMORTEM_TEMPLATE, PROJECT_ROOT, TAB_DIR } from '../../server/paths.js';

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const dockerfile = read('Dockerfile');
const prodStart = read('.ci/prod-start.sh');
const compose = read('compose.yaml');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
/** The Dockerfile's instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => /^[A-Z]+ /.test(l));
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages[stages.length - 1]!;

describe('Dockerfile', () => {
  it('builds and installs with the commands .ci/prod-start.sh tests, in the same order', () => {
    const runs = instructions.filter((l) => l.startsWith('RUN ')).join('\n');
    const order = ['npm ci --no-audit', 'npm run build', 'npm ci --omit=dev'];
    const at = order.map((c) => runs.indexOf(c));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const c of ['npm ci --no-audit', 'npm run build', 'npm ci --omit=dev']) expect(prodStart).toContain(c);
  });

  it('starts what npm run start:prod starts, as prod-start.sh does, with node as the process that gets SIGTERM', () => {
    expect(pkg.scripts['start:prod']).toBe('node dist/server/main.js');
    expect(instructions).toContain('CMD ["node", "dist/server/main.js"]');
    expect(prodStart).toMatch(/node dist\/server\/main\.js/);
    expect(instructions).toContain('STOPSIGNAL SIGTERM');
  });

  it('puts into the runtime image every file the compiled server reads', () => {
    for (const path of [
      relative(PROJECT_ROOT, TAB_DIR),
      relative(PROJECT_ROOT, POSTMORTEM_TEMPLATE),
      'dist',
      'package.json',
      'node_modules',
    ]) {
      expect(runtime).toMatch(new RegExp(`^COPY .*\\b${path.replace(/[./]/g, '\\$&')}\\b`, 'm'));
    }
  });

  it('runs as a non-root user on 0.0.0.0, keeps DATA_DIR on a volume and checks /api/health without curl', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/HOST=0\.0\.0\.0/);
    expect(runtime).toMatch(/DATA_DIR=\/data/);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    const healthcheck = instructions.find((l) => l.startsWith('HEALTHCHECK '));
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*\/api\/health/);
    expect(healthcheck).not.toMatch(/curl|wget/);
  });
});

describe('.dockerignore', () => {
  it('keeps the tests, host node_modules, data and secrets out, and everything the build needs in', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const out of ['node_modules', 'test', 'data', '.env', 'dist', 'build', '.git']) expect(ignored).toContain(out);
    for (const needed of [
      'server',
      'jobs',
      'client',
      'docs',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ]) {
      expect(ignored.some((pattern) => pattern === needed || needed.startsWith(`${pattern}/`))).toBe(false);
    }
  });
});

describe('compose.yaml and .env.example', () => {
  it('wires MONGODB_URI to the replica set the mongo service starts and initiates', () => {
    const replicaSet = /replicaSet=(\w+)/.exec(compose)?.[1];
    expect(replicaSet).toBeTruthy();
    expect(compose).toContain(`'--replSet', '${replicaSet}'`);
    expect(compose).toContain(`rs.initiate({ _id: '${replicaSet}'`);
    expect(compose).toMatch(/MONGODB_URI: mongodb:\/\/mongo:27017\//);
  });

  it('takes secrets from .env, which git ignores', () => {
    expect(compose).toMatch(/env_file:\s*\n\s*- path: \.env/);
    expect(execFileSync('git', ['check-ignore', '.env'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim()).toBe('.env');
  });

  it('.env.example names every variable of the README configuration table, and no other', () => {
    const table = [...read('README.md').matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    const example = [
      ...new Set([...read('.env.example').matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1])),
    ].sort();
    expect(table.length).toBeGreaterThan(10);
    expect(example).toEqual(table);
  });
});
