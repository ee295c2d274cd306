/**
 * The record a sync run leaves in the store (`SyncRun`): counts per query, the requests and
 * retries it cost, the first problems found in Jira's values, and how it ended. Recorded
 * whether the run succeeded or not, so `/api/health` and the next run can tell.
 */
import type { SyncRun, UpsertCounts } from '../domain/types.js';
import type { JiraReader } from '../jira/JiraReader.js';
import type { Store } from '../store/Store.js';

const MAX_REPORTED_PROBLEMS = 1_000;

export const zeroCounts = (): UpsertCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

export function addCounts(into: UpsertCounts, more: UpsertCounts): void {
  into.inserted += more.inserted;
  into.updated += more.updated;
  into.unchanged += more.unchanged;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}

export class RunRecord {
  readonly run: SyncRun;
  private problemCount = 0;
  private readonly before: { requests: number; retries: number };

  constructor(
    private readonly jira: JiraReader,
    now: Date,
    full: boolean,
  ) {
    this.before = jira.stats();
    this.run = {
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      ok: false,
      full,
      incidents: zeroCounts(),
      actionItems: zeroCounts(),
      requests: 0,
      retries: 0,
      problems: [],
      error: null,
    };
  }

  /** Requests sent to Jira by this run so far. */
  requests(): number {
    return this.jira.stats().requests - this.before.requests;
  }

  /** Unreadable field values of one record; the first 1,000 are listed, the rest counted. */
  report(key: string, problems: Array<{ field: string; reason: string }>): void {
    for (const problem of problems) {
      this.problemCount += 1;
      if (this.run.problems.length < MAX_REPORTED_PROBLEMS) this.run.problems.push({ key, ...problem });
    }
  }

  fail(error: unknown): void {
    this.run.error = oneLine(error);
  }

  /** Closes the record (`ok` unless `fail` was called) and stores it. */
  async finish(store: Store, at: Date): Promise<SyncRun> {
    const run = this.run;
    run.ok = run.error === null;
    if (this.problemCount > run.problems.length) {
      run.problems.push({
        key: '*',
        field: '*',
        reason: `${this.problemCount - run.problems.length} more problems not listed`,
      });
    }
    const after = this.jira.stats();
    run.requests = after.requests - this.before.requests;
    run.retries = after.retries - this.before.retries;
    run.finishedAt = at.toISOString();
    await store.recordSyncRun(run);
    return run;
  }
}
