/**
 * The server the browser tests drive: the real one, started the way `npm start` starts it
 * (server/main.ts `start`), in demo mode over the sample Jira, with a fresh embedded store.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { HealthResponse } from '../../server/domain/api.js';
import { assemble } from '../../server/assembly/index.js';
import { createApp } from '../../server/http/app.js';
import { start } from '../../server/main.js';
import { startJiraSync } from '../../server/sync/startSync.js';

export interface TestServer {
  baseUrl: string;
  /** startTestServer: the sample Jira behind the demo (base URL and credentials). */
  demoJira?: { baseUrl: string; email: string; apiToken: string } | null;
  /** What runs behind it, printed by the suite. */
  description: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pmi-tab-'));
  // An empty config file, so a developer's own postmortem-insights.config.json plays no part.
  writeFileSync(join(dataDir, 'config.json'), '{}\n');
  // Only what the tab needs: no Jira (so demo mode), loopback, a free port, quiet logs.
  const running = await start({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CONFIG_FILE: join(dataDir, 'config.json'),
    TZ: process.env.TZ,
  });
  const close = async () => {
    await running.shutdown('browser tests done');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const health = (await (await fetch(`${running.url}/api/health`)).json()) as HealthResponse;
  if (health.counts.incidents === 0) {
    await close();
    throw new Error(
      'The server started in demo mode without data: the sample Jira sync at start-up found no incidents.',
    );
  }
  return {
    baseUrl: running.url,
    // Demo mode's configuration points at the sample Jira.
    demoJira: running.config.jira,
    description: `the real server in demo mode (${health.counts.incidents} incidents, ${health.counts.actionItems} action items)`,
    close,
  };
}

export interface SsoTestServer extends TestServer {
  /** A Teams SSO token the server accepts (signed by the stand-in tenant's key). */
  token: string;
}

const TENANT_ID = '00000000-0000-4000-8000-00000000000a';
const CLIENT_ID = '11111111-2222-4333-8444-555555555555';

/**
 * The real app with AUTH_MODE=teams-sso, in demo mode, verifying tokens with jose against a
 * stand-in tenant: a JWKS served on loopback (the app's `auth.jwksUrl`) and a token signed
 * with its key, carrying what Entra puts in a v2 token (iss, aud, tid, scp).
 */
export async function startSsoTestServer(publicUrl: string): Promise<SsoTestServer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'stand-in-tenant-key', alg: 'RS256', use: 'sig' };
  const jwks = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/discovery/v2.0/keys`;

  const dataDir = await mkdtemp(join(tmpdir(), 'pmi-tab-sso-'));
  writeFileSync(join(dataDir, 'config.json'), '{}\n');
  const product = await assemble({
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      CONFIG_FILE: join(dataDir, 'config.json'),
      AUTH_MODE: 'teams-sso',
      TEAMS_APP_CLIENT_ID: CLIENT_ID,
      TEAMS_TENANT_ID: TENANT_ID,
      PUBLIC_URL: publicUrl,
    },
    // The sample Jira only: no digest is posted here.
    needs: { jira: true, digestWebhook: false },
  });
  const { config, store, logger, now, environment, services } = product;
  const sync = await startJiraSync({
    config,
    store,
    logger,
    sync: services.sync!,
    firstSync: environment.firstSync,
    schedule: false,
  });
  const app = createApp({ config, store, logger, now, ...services, auth: { jwksUrl } });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const token = await new SignJWT({
    tid: TENANT_ID,
    scp: 'access_as_user',
    name: 'Ada Lovelace',
    oid: '00000000-0000-4000-8000-000000000001',
    ver: '2.0',
  })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
    .setIssuer(`https://login.microsoftonline.com/${TENANT_ID}/v2.0`)
    .setAudience(CLIENT_ID)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    description: 'the real server with AUTH_MODE=teams-sso in demo mode',
    token,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await sync.stop();
      await product.close();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
