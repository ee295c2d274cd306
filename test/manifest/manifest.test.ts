import { describe, it, expect, beforeAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { PNG } from 'pngjs';
import { buildManifest, packageInputsFromEnv, readTemplate, writeAppPackage } from '../../manifest/package.js';

// Microsoft's own copy of the published v1.22 schema, shipped in @microsoft/app-manifest.
const SCHEMA_PATH = createRequire(import.meta.url).resolve(
  '@microsoft/app-manifest/build/json-schemas/teams/v1.22/MicrosoftTeams.schema.json',
);
const ROOT = new URL('../../', import.meta.url).pathname;
const APP_ID = '0b5c7f8e-3c1a-4d2b-9e6f-1a2b3c4d5e6f';
const CLIENT_ID = 'C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F';
const ENV = { PUBLIC_URL: 'https://Insights.Contoso.com/', TEAMS_APP_ID: APP_ID, TEAMS_APP_CLIENT_ID: CLIENT_ID };

// CommonJS packages: Node gives the module object, swc's interop its `default`.
const Ajv04 = ((ajvDraft04 as unknown as { default?: unknown }).default ?? ajvDraft04) as typeof ajvDraft04.default;
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ??
  ajvFormats) as typeof ajvFormats.default;

function validator() {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Reads a zip's entries from its central directory (stored or deflated). */
function readZip(buffer: Buffer): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buffer.readUInt16LE(at + 10);
    const compressed = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(dataAt, dataAt + compressed);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

describe('packageInputsFromEnv', () => {
  it('normalises the address (lower case, no trailing slash) and ids, keeping a port other than 443', () => {
    const inputs = packageInputsFromEnv(
      { ...ENV, PUBLIC_URL: 'https://Insights.Contoso.com:8443/reliability/' },
      '1.2.3',
    );
    expect(inputs).toEqual({
      publicUrl: 'https://insights.contoso.com:8443/reliability',
      publicHost: 'insights.contoso.com:8443',
      appId: APP_ID,
      clientId: CLIENT_ID.toLowerCase(),
      version: '1.2.3',
    });
  });

  it('leaves out the default https port', () => {
    expect(packageInputsFromEnv({ ...ENV, PUBLIC_URL: 'https://insights.contoso.com:443' }, '1.0.0').publicHost).toBe(
      'insights.contoso.com',
    );
  });

  it.each([
    [{ PUBLIC_URL: undefined }, /PUBLIC_URL is not set/],
    [{ PUBLIC_URL: 'http://insights.contoso.com' }, /PUBLIC_URL must start with https/],
    [{ PUBLIC_URL: 'not a url' }, /PUBLIC_URL "not a url" is not a URL/],
    [{ TEAMS_APP_ID: undefined }, /TEAMS_APP_ID is not set/],
    [{ TEAMS_APP_ID: 'my-app' }, /TEAMS_APP_ID "my-app" is not a GUID/],
    [{ TEAMS_APP_CLIENT_ID: 'abc' }, /TEAMS_APP_CLIENT_ID "abc" is not a GUID/],
  ])('refuses %j with a line naming the key', (override, message) => {
    expect(() => packageInputsFromEnv({ ...ENV, ...override }, '0.1.0')).toThrow(message);
  });

  it('refuses a version Teams cannot take', () => {
    expect(() => packageInputsFromEnv(ENV, '1.0.0-beta.1')).toThrow(/not MAJOR.MINOR.PATCH/);
  });
});

describe('buildManifest', () => {
  const validate = validator();

  it('fills every placeholder and validates against the published v1.22 schema', () => {
    const manifest = buildManifest(readTemplate(), packageInputsFromEnv(ENV, '0.1.0'));
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{/);
    expect(manifest).toMatchObject({
      manifestVersion: '1.22',
      id: APP_ID,
      version: '0.1.0',
      staticTabs: [{ contentUrl: 'https://insights.contoso.com/tab', scopes: ['personal'] }],
      configurableTabs: [
        { configurationUrl: 'https://insights.contoso.com/tab/config', scopes: ['team', 'groupChat'] },
      ],
      validDomains: ['insights.contoso.com'],
      webApplicationInfo: {
        id: CLIENT_ID.toLowerCase(),
        resource: `api://insights.contoso.com/${CLIENT_ID.toLowerCase()}`,
      },
      icons: { color: 'color.png', outline: 'outline.png' },
    });
  });

  it('offers the configurable tab in channels, group chats and meetings (side panel, stage) with the stage-sharing permissions', () => {
    const manifest = buildManifest(readTemplate(), packageInputsFromEnv(ENV, '0.1.0'));
    expect(validate(manifest)).toBe(true);
    expect(manifest.configurableTabs).toEqual([
      expect.objectContaining({
        scopes: ['team', 'groupChat'],
        context: [
          'channelTab',
          'privateChatTab',
          'meetingChatTab',
          'meetingDetailsTab',
          'meetingSidePanel',
          'meetingStage',
        ],
      }),
    ]);
    expect(manifest.authorization).toEqual({
      permissions: {
        resourceSpecific: [
          { name: 'MeetingStage.Write.Chat', type: 'Delegated' },
          { name: 'ChannelMeetingStage.Write.Group', type: 'Delegated' },
        ],
      },
    });
    // The schema checks these values too: a context it does not know is refused.
    const tab = (manifest.configurableTabs as Array<Record<string, unknown>>)[0]!;
    expect(validate({ ...manifest, configurableTabs: [{ ...tab, context: ['meetingLobby'] }] })).toBe(false);
    expect(
      validate({
        ...manifest,
        authorization: { permissions: { resourceSpecific: [{ name: 'MeetingStage.Write.Chat', type: 'Sometimes' }] } },
      }),
    ).toBe(false);
  });

  it('is checked for real: the schema refuses a manifest Teams would refuse', () => {
    const manifest = buildManifest(readTemplate(), packageInputsFromEnv(ENV, '0.1.0'));
    expect(validate({ ...manifest, id: 'not-a-guid' })).toBe(false);
    expect(validate({ ...manifest, staticTabs: [{ entityId: 'x', scopes: ['everywhere'] }] })).toBe(false);
  });

  it('leaves out webApplicationInfo when no SSO client id is configured, and still validates', () => {
    const manifest = buildManifest(readTemplate(), packageInputsFromEnv({ ...ENV, TEAMS_APP_CLIENT_ID: '' }, '0.1.0'));
    expect(validate(manifest)).toBe(true);
    expect(manifest).not.toHaveProperty('webApplicationInfo');
  });
});

describe('npm run package:teams', () => {
  let entries: Map<string, Buffer>;

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'manifest/package.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
    });
    entries = readZip(readFileSync(join(ROOT, 'build/appPackage.zip')));
  }, 60_000);

  it('writes manifest.json and both icons at the root of build/appPackage.zip', () => {
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('packs a manifest that validates and names the packed icons', () => {
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as {
      icons: { color: string; outline: string };
    };
    const validate = validator();
    expect(validate(manifest)).toBe(true);
    expect(entries.has(manifest.icons.color)).toBe(true);
    expect(entries.has(manifest.icons.outline)).toBe(true);
  });

  it('packs a 192x192 colour icon and a 32x32 outline icon that is white on transparent', () => {
    const color = PNG.sync.read(entries.get('color.png')!);
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = PNG.sync.read(entries.get('outline.png')!);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let opaque = 0;
    let transparent = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent++;
      else {
        opaque++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(opaque).toBeGreaterThan(0);
    expect(transparent).toBeGreaterThan(opaque);
  });

  it('gives the same bytes for the same inputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pkg-'));
    const manifest = buildManifest(readTemplate(), packageInputsFromEnv(ENV, '0.1.0'));
    await writeAppPackage(join(dir, 'a.zip'), manifest);
    await writeAppPackage(join(dir, 'b.zip'), manifest);
    expect(readFileSync(join(dir, 'a.zip')).equals(readFileSync(join(dir, 'b.zip')))).toBe(true);
  });
});
