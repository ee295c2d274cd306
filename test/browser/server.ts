/** The server the browser tests drive. */
import { startFixtureServer } from './fixture-server.js';
import { TAB_DIR } from './harness.js';

export interface TestServer {
  baseUrl: string;
  /** What runs behind it, printed by the suite. */
  description: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const server = await startFixtureServer(TAB_DIR);
  return { ...server, description: 'fixture API (test/browser/fixture-server.ts)' };
}
