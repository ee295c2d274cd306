/** Where the review agenda is (week and position), kept in the URL; and when the tab opens as the review. */
import type { HostInfo } from './teams.js';

export interface ReviewState {
  /** `YYYY-Www`, or null for the server's default (the last complete week). */
  week: string | null;
  /** 1-based position in the agenda. */
  item: number;
}

const REVIEW_SUB_PAGE = /^review(?::(\d{4}-W\d{2}))?$/;

/** Whether the tab opens as the review: asked for in the URL or a deep link, or in a meeting's side panel or stage. */
export function wantsReview(search: string, info: Pick<HostInfo, 'frameContext' | 'subPageId'>): boolean {
  if (new URLSearchParams(search).get('view') === 'review') return true;
  if (info.subPageId && REVIEW_SUB_PAGE.test(info.subPageId)) return true;
  return info.frameContext === 'sidePanel' || info.frameContext === 'meetingStage';
}

export function parseReviewState(search: string, subPageId: string | null = null): ReviewState {
  const q = new URLSearchParams(search);
  const item = Number(q.get('item'));
  const fromDeepLink = subPageId ? REVIEW_SUB_PAGE.exec(subPageId)?.[1] : undefined;
  return { week: q.get('week') || fromDeepLink || null, item: Number.isInteger(item) && item >= 1 ? item : 1 };
}

/** The review's address (what the side panel shares to the stage). */
export function reviewUrl(origin: string, state: ReviewState): string {
  const q = new URLSearchParams({ view: 'review' });
  if (state.week) q.set('week', state.week);
  if (state.item > 1) q.set('item', String(state.item));
  return `${origin}/tab?${q.toString()}`;
}
