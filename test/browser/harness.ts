/**
 * Shared plumbing of the tab's browser tests: find Debian's Chromium, build the tab,
 * launch a fresh headless profile, and keep screenshots where a person can look at them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const SCREENSHOT_DIR = join(ROOT, 'test-artifacts/screenshots');

// The Chromium the bench drives, found and flagged the same way (headless on these machines;
// findChromium returns null when there is none, and the suite then skips and says why).
import { CHROMIUM_FLAGS } from '../../bench/tabBench.js';

export { CHROMIUM_FLAGS, findChromium, TAB_DIR } from '../../bench/tabBench.js';

export async function buildTab(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/vite.config.ts'],
    { cwd: ROOT },
  );
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh --user-data-dir, so no state leaks between runs. */
export async function launchBrowser(executablePath: string, extraArgs: string[] = []): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'pmi-chromium-'));
  const context = await chromium
    .launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...extraArgs],
      viewport: { width: 1280, height: 900 },
      // The stand-in Teams host frames the tab from an https origin; Chromium's Local
      // Network Access checks would otherwise block its loopback requests.
      permissions: ['local-network-access'],
    })
    .catch(async (error: unknown) => {
      // Older Chromium builds do not know the permission; retry without it.
      if (String(error).includes('local-network-access')) {
        return chromium.launchPersistentContext(userDataDir, {
          executablePath,
          headless: true,
          args: [...CHROMIUM_FLAGS, ...extraArgs],
          viewport: { width: 1280, height: 900 },
        });
      }
      throw error;
    });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}
