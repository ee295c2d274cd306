/**
 * The repository stands on its own: no file names a path outside it (the build machine's
 * shared folder, its contract and style notes), so a clean clone anywhere builds, tests and
 * documents itself. Code comments cite docs/ files instead.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELF = 'test/repo/selfContained.test.ts';
// Written in pieces so this file does not name them itself.
const FORBIDDEN = [
  ['/work', '/'],
  ['../', 'shared/'],
  ['shared/', 'schemas'],
  ['shared/', 'notes'],
  ['PRODUCT', '.md'],
  ['STYLE', '.md'],
].map((p) => p.join(''));

describe('the repository', () => {
  it('names no path outside itself, in any tracked or new file', () => {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((f) => f && f !== SELF && !/\.(png|zip|ico)$/.test(f));
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(`${ROOT}${file}`, 'utf8');
      } catch {
        continue; // listed by git but deleted in the working tree
      }
      text.split('\n').forEach((line, i) => {
        for (const name of FORBIDDEN) if (line.includes(name)) found.push(`${file}:${i + 1}: ${name}`);
      });
    }
    expect(found).toEqual([]);
  });
});
