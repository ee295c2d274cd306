/**
 * Jira admin-webhook signatures: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
 * with the shared secret (docs/webhooks.md). Checked over the bytes as received, before
 * any parsing, in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature';

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from((match[1] as string).toLowerCase(), 'hex'));
}
