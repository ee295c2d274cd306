/**
 * Checks a card against the published Adaptive Card schema 1.5.0 (a copy without its prose in
 * test/fixtures/schemas/, see the README there), plus the two things that schema cannot
 * say: Teams' `msteams` extras are allowed explicitly (and nothing else is), and no
 * element or property newer than the card's version (1.4) is used, since the Workflows
 * webhook refuses 1.5 cards.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import type { ErrorObject } from 'ajv';

const require = createRequire(import.meta.url);
const Ajv = AjvModule as unknown as typeof AjvModule.default;

export const CARD_SCHEMA_PATH = fileURLToPath(
  new URL('../fixtures/schemas/adaptive-card.schema.1.5.0.json', import.meta.url),
);

type Json = Record<string, unknown>;

interface SchemaDoc {
  definitions: Record<string, Json>;
}

function loadSchema(): SchemaDoc & Json {
  return JSON.parse(fs.readFileSync(CARD_SCHEMA_PATH, 'utf8')) as SchemaDoc & Json;
}

/** The published schema with exactly Teams' `msteams: { width: "Full" }` added to the card. */
export function cardValidator(): (card: unknown) => ErrorObject[] {
  const schema = loadSchema();
  // The file names itself with draft-04's `id`; ajv reads draft-06's `$id`.
  schema.$id = schema.id;
  delete schema.id;
  const cardDef = schema.definitions.AdaptiveCard as { properties: Json };
  cardDef.properties.msteams = {
    type: 'object',
    properties: { width: { enum: ['Full'] } },
    additionalProperties: false,
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as Json);
  const validate = ajv.compile(schema);
  return (card) => (validate(card) ? [] : [...(validate.errors ?? [])]);
}

function versionNumber(version: unknown): number {
  return typeof version === 'string' ? Number(version) : 0;
}

/** Every element type or property in the card whose schema annotation says it needs a version above `max`. */
export function featuresAbove(card: unknown, max: number): string[] {
  const { definitions } = loadSchema();
  const found: string[] = [];
  const refName = (ref: unknown): string | null =>
    typeof ref === 'string' && ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : null;
  /** A property's schema, looked up through the definition's allOf chain. */
  const propertyOf = (defName: string, prop: string): Json | null => {
    const def = definitions[defName];
    if (!def) return null;
    const own = (def.properties as Record<string, Json> | undefined)?.[prop];
    if (own) return own;
    for (const part of (def.allOf as Json[] | undefined) ?? []) {
      const parent = refName(part.$ref);
      const inherited = parent ? propertyOf(parent, prop) : null;
      if (inherited) return inherited;
    }
    return null;
  };
  const visit = (node: unknown, defName: string | null, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => visit(child, defName, `${where}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const object = node as Json;
    const typeName = typeof object.type === 'string' && definitions[object.type] ? object.type : defName;
    if (typeName && versionNumber(definitions[typeName]?.version) > max) {
      found.push(`${where}: ${typeName} needs ${String(definitions[typeName]?.version)}`);
    }
    for (const [key, value] of Object.entries(object)) {
      const prop = typeName ? propertyOf(typeName, key) : null;
      if (prop && versionNumber(prop.version) > max) found.push(`${where}.${key} needs ${String(prop.version)}`);
      const ref = refName(prop?.$ref);
      if (ref && versionNumber(definitions[ref]?.version) > max)
        found.push(`${where}.${key}: ${ref} needs ${String(definitions[ref]?.version)}`);
      // Children: a `facts` array holds Facts, anything else names its own type.
      const childDef = key === 'facts' ? 'Fact' : null;
      if (typeof value === 'object' && value !== null) visit(value, childDef, `${where}.${key}`);
    }
  };
  visit(card, 'AdaptiveCard', 'card');
  return found;
}
