/** Composing a week's digest: its content from the current data, its links, and the card within Teams' size. */
import type { Store } from '../store/Store.js';
import { buildDigestCard, cardBytes, MAX_CARD_BYTES, type AdaptiveCard } from './card.js';
import { collectDigestContent, type DigestContent, type DigestSource } from './content.js';
import { digestLinks } from './links.js';

export interface WeekCardDeps {
  store: Store;
  source: DigestSource;
  timezone: string;
  publicUrl: string | null;
  teamsAppId: string | null;
}

/** The card for a week, from the current data. */
export async function buildWeekCard(
  deps: WeekCardDeps,
  week: string,
  now: Date,
): Promise<{ card: AdaptiveCard; content: DigestContent }> {
  const content = await collectDigestContent(deps.source, deps.store, {
    week,
    timezone: deps.timezone,
    now,
    links: digestLinks({ publicUrl: deps.publicUrl, teamsAppId: deps.teamsAppId }, week),
  });
  const card = buildDigestCard(content);
  const bytes = cardBytes(card);
  if (bytes > MAX_CARD_BYTES) {
    throw new Error(`the digest card for ${week} is ${bytes} bytes, over Teams' limit of ${MAX_CARD_BYTES}`);
  }
  return { card, content };
}
