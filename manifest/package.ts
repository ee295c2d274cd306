/**
 * `npm run package:teams`: fills manifest/manifest.json from the environment and writes
 * build/appPackage.zip (manifest.json, color.png, outline.png at the root), ready to
 * sideload or upload. Nothing in the manifest is edited by hand per install:
 *
 *   PUBLIC_URL           https address the tab is served from (its host goes in validDomains)
 *   TEAMS_APP_ID         the app package's id (a GUID; keep it for every package of an install)
 *   TEAMS_APP_CLIENT_ID  Entra app (client) id for Teams SSO; without it, no webApplicationInfo
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export const MANIFEST_DIR = fileURLToPath(new URL('.', import.meta.url));
export const ICON_FILES = ['color.png', 'outline.png'] as const;

export interface PackageInputs {
  publicUrl: string;
  /**
   * Lower-case host of PUBLIC_URL, with its port when it is not 443: validDomains and the SSO
   * resource `api://<host>/<client id>`, the audience the server accepts (server/http/auth.ts).
   */
  publicHost: string;
  appId: string;
  clientId: string | null;
  version: string;
}

export class PackageConfigError extends Error {}

/** Reads and checks what the manifest needs; a bad value throws one line naming the key and the fix. */
export function packageInputsFromEnv(env: Record<string, string | undefined>, version: string): PackageInputs {
  const rawUrl = env.PUBLIC_URL?.trim();
  if (!rawUrl)
    throw new PackageConfigError(
      'PUBLIC_URL is not set: set it to the https address that serves the tab, e.g. https://insights.contoso.com.',
    );
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new PackageConfigError(
      `PUBLIC_URL "${rawUrl}" is not a URL: use the https address that serves the tab, e.g. https://insights.contoso.com.`,
    );
  }
  if (url.protocol !== 'https:')
    throw new PackageConfigError(
      `PUBLIC_URL must start with https:// (Teams loads tabs only over HTTPS with a trusted certificate); got "${rawUrl}".`,
    );
  if (url.search || url.hash)
    throw new PackageConfigError(
      'PUBLIC_URL must not carry a query or fragment: give the address the tab is served under.',
    );
  const appId = env.TEAMS_APP_ID?.trim() ?? '';
  if (!GUID.test(appId)) {
    throw new PackageConfigError(
      `TEAMS_APP_ID ${appId ? `"${appId}" is not a GUID` : 'is not set'}: set it to a GUID (node -e "console.log(crypto.randomUUID())") and keep it for every package of this install.`,
    );
  }
  const clientId = env.TEAMS_APP_CLIENT_ID?.trim() || null;
  if (clientId != null && !GUID.test(clientId)) {
    throw new PackageConfigError(
      `TEAMS_APP_CLIENT_ID "${clientId}" is not a GUID: use the Application (client) ID of the Entra app registration.`,
    );
  }
  if (!SEMVER.test(version))
    throw new PackageConfigError(
      `package.json version "${version}" is not MAJOR.MINOR.PATCH, which the Teams manifest requires.`,
    );
  return {
    publicUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    publicHost: url.host.toLowerCase(),
    appId: appId.toLowerCase(),
    clientId: clientId?.toLowerCase() ?? null,
    version,
  };
}

/** Fills the template's `{{NAME}}` placeholders; drops webApplicationInfo when SSO is not configured. */
export function buildManifest(template: Record<string, unknown>, inputs: PackageInputs): Record<string, unknown> {
  const values: Record<string, string> = {
    PUBLIC_URL: inputs.publicUrl,
    PUBLIC_HOST: inputs.publicHost,
    TEAMS_APP_ID: inputs.appId,
    TEAMS_APP_CLIENT_ID: inputs.clientId ?? '',
    VERSION: inputs.version,
  };
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
        const filled = values[name];
        if (filled === undefined)
          throw new PackageConfigError(`manifest.json uses an unknown placeholder {{${name}}}.`);
        return filled;
      });
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  const manifest = fill(template) as Record<string, unknown>;
  if (!inputs.clientId) delete manifest.webApplicationInfo;
  return manifest;
}

export function readTemplate(): Record<string, unknown> {
  return JSON.parse(readFileSync(`${MANIFEST_DIR}manifest.json`, 'utf8')) as Record<string, unknown>;
}

/** Writes the zip; entries carry a fixed date so the same inputs give the same bytes. */
export function writeAppPackage(outFile: string, manifest: Record<string, unknown>): Promise<void> {
  mkdirSync(dirname(outFile), { recursive: true });
  const zip = new yazl.ZipFile();
  const mtime = new Date('2026-01-01T00:00:00Z');
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), 'manifest.json', { mtime });
  for (const icon of ICON_FILES) zip.addBuffer(readFileSync(`${MANIFEST_DIR}${icon}`), icon, { mtime });
  zip.end();
  return new Promise((resolve, reject) => {
    const out = createWriteStream(outFile);
    out.on('close', () => resolve());
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  const inputs = packageInputsFromEnv(process.env, pkg.version);
  const manifest = buildManifest(readTemplate(), inputs);
  const outFile = `${root}build/appPackage.zip`;
  await writeAppPackage(outFile, manifest);
  process.stdout.write(`wrote ${outFile} (app id ${inputs.appId}, tab ${inputs.publicUrl}/tab)\n`);
  if (!inputs.clientId)
    process.stdout.write(
      'TEAMS_APP_CLIENT_ID is not set: the package has no webApplicationInfo, so Teams SSO (AUTH_MODE=teams-sso) will not work.\n',
    );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof PackageConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
