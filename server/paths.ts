/**
 * Where the project's files are at run time, the same from the sources (`npm start`, tsx)
 * and from the compiled server in dist/ (`npm run start:prod`): the nearest folder above
 * this module that holds package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** The built tab (`npm run build:client`, part of `npm run build` and `npm start`). */
export const TAB_DIR = join(PROJECT_ROOT, 'build', 'tab');

/** The post-mortem template users fill in (docs/postmortem-template.md), served to the tab. */
export const POSTMORTEM_TEMPLATE = join(PROJECT_ROOT, 'docs', 'postmortem-template.md');
