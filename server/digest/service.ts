/**
 * The digest as the rest of the server sees it: the routes (preview, chart), the health
 * block, the schedule and the CLI all go through one DigestService built from the same
 * dependencies, so they cannot disagree about the week, the links or the webhook.
 */
import type { DigestHealth } from '../domain/api.js';
import type { AdaptiveCard } from './card.js';
import { renderIncidentsPerWeekPng } from './chart.js';
import { digestWindow, TREND_WEEKS } from './content.js';
import { digestHealth } from './claims.js';
import type { DigestDeps, DigestRunOptions, DigestRunResult } from './run.js';
import { runDigest } from './run.js';
import { buildWeekCard } from './weekCard.js';
import { lastCompleteWeek, parseWeek } from './weeks.js';

const CHART_CACHE_ENTRIES = 32;

export class DigestService {
  /** PNGs by week and the counts drawn, so a chart is redrawn only when its numbers change. */
  private readonly charts = new Map<string, Promise<Buffer>>();

  constructor(readonly deps: DigestDeps) {}

  /** The card `npm run digest` would post now (last complete week), or for a given week. */
  async preview(now: Date, week?: string): Promise<AdaptiveCard> {
    const target = week === undefined ? lastCompleteWeek(now, this.deps.timezone) : parseWeek(week);
    return (await buildWeekCard(this.deps, target, now)).card;
  }

  /** Incidents per week for the TREND_WEEKS weeks ending with `week`, as PNG. */
  async chartPng(week: string): Promise<Buffer> {
    const target = parseWeek(week);
    const metrics = await this.deps.source.metrics(digestWindow(target, this.deps.timezone, TREND_WEEKS));
    const weeks = metrics.incidents.byWeek;
    const key = JSON.stringify([target, weeks]);
    let png = this.charts.get(key);
    if (!png) {
      png = renderIncidentsPerWeekPng(weeks, { title: `Incidents per week, up to ${target}` });
      if (this.charts.size >= CHART_CACHE_ENTRIES) {
        const oldest = this.charts.keys().next();
        if (!oldest.done) this.charts.delete(oldest.value);
      }
      this.charts.set(key, png);
      png.catch(() => this.charts.delete(key));
    }
    return png;
  }

  run(now: Date, options: DigestRunOptions = {}): Promise<DigestRunResult> {
    return runDigest(this.deps, now, options);
  }

  health(now: Date): Promise<DigestHealth> {
    return digestHealth(this.deps.store, now, {
      webhookUrl: this.deps.webhookUrl,
      ...(this.deps.claimTimeoutMs === undefined ? {} : { claimTimeoutMs: this.deps.claimTimeoutMs }),
      ...(this.deps.delivery === undefined ? {} : { delivery: this.deps.delivery }),
    });
  }
}
