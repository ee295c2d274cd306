/**
 * Which ISO week a digest is about, and when that week's digest falls due.
 *
 * A digest is always about one complete ISO week (Monday 00:00 to Monday 00:00 in
 * TIMEZONE), named like `2026-W47`. Week W's digest falls due at the first DIGEST_CRON
 * time on or after the Monday that ends W (with the default `0 9 * * 1`: Monday 09:00
 * of week W+1). A server that was down at that moment finds the week due but unrecorded
 * when it starts, and posts it then: that is the catch-up.
 */
import { DateTime } from 'luxon';
import cron from 'node-cron';
import { InputError } from '../errors.js';
import type { IsoInstant } from '../domain/types.js';
import { isoWeekName } from '../time.js';

const WEEK_NAME = /^(\d{4})-W(\d{2})$/;

/** The Monday 00:00 (in `zone`) that starts an ISO week, or null when the name is not a real week. */
function weekStartDateTime(week: string, zone: string): DateTime | null {
  const match = WEEK_NAME.exec(week);
  if (!match) return null;
  const weekYear = Number(match[1]);
  const weekNumber = Number(match[2]);
  const start = DateTime.fromObject({ weekYear, weekNumber, weekday: 1 }, { zone });
  if (!start.isValid || weekNumber < 1 || weekNumber > start.weeksInWeekYear) return null;
  return start.startOf('day');
}

/** Checks a week name such as `2026-W47`; `parameter` names the flag or query parameter in the error. */
export function parseWeek(week: string, parameter = 'week'): string {
  if (weekStartDateTime(week, 'UTC') === null) {
    throw new InputError(
      `${parameter} must be an ISO week such as 2026-W47 (a year, "-W", and a week number that exists in that year); got "${week}"`,
      parameter,
    );
  }
  return week;
}

/** The instants [from, to) an ISO week covers in `zone`. */
export function weekRange(week: string, zone: string): { from: IsoInstant; to: IsoInstant } {
  const start = weekStartDateTime(parseWeek(week), zone);
  if (!start) throw new InputError(`unknown week ${week}`, 'week');
  return {
    from: start.toUTC().toISO() as IsoInstant,
    to: start.plus({ weeks: 1 }).toUTC().toISO() as IsoInstant,
  };
}

/** The Monday (`YYYY-MM-DD`) that starts the week (a calendar date, the same in every zone). */
export function weekStartDate(week: string): string {
  const start = weekStartDateTime(parseWeek(week), 'UTC');
  return (start as DateTime).toISODate() as string;
}

export function shiftWeek(week: string, weeks: number): string {
  const start = weekStartDateTime(parseWeek(week), 'UTC') as DateTime;
  return isoWeekName(start.plus({ weeks }).plus({ days: 3 }).toJSDate(), 'UTC');
}

/** The last complete ISO week before the one `now` falls in. */
export function lastCompleteWeek(now: Date, zone: string): string {
  return shiftWeek(isoWeekName(now, zone), -1);
}

/**
 * The first time at or after `after` that `cronExpression` fires in `zone`, searching
 * up to `maxDays` ahead; null when it never fires in that span. Day-of-month and
 * day-of-week must both match, as node-cron (which runs the schedule) decides them.
 */
export function nextCronTime(cronExpression: string, zone: string, after: Date, maxDays = 400): Date | null {
  const fields = cron.parse(cronExpression);
  const numbers = (values: Array<number | string>): number[] =>
    values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  const seconds = numbers(fields.second);
  const minutes = numbers(fields.minute);
  const hours = numbers(fields.hour);
  const daysOfMonth = new Set(numbers(fields.dayOfMonth));
  const months = new Set(numbers(fields.month));
  // cron counts Sunday as 0 (node-cron also accepts 7); luxon's weekday is 1..7 with Sunday 7.
  const daysOfWeek = new Set(numbers(fields.dayOfWeek).map((d) => (d === 0 ? 7 : d)));
  const afterMs = after.getTime();
  let day = DateTime.fromMillis(afterMs, { zone }).startOf('day');
  for (let i = 0; i <= maxDays; i += 1, day = day.plus({ days: 1 })) {
    if (!months.has(day.month) || !daysOfMonth.has(day.day) || !daysOfWeek.has(day.weekday)) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        for (const second of seconds) {
          const candidate = day.set({ hour, minute, second, millisecond: 0 });
          // A wall time skipped by a DST change moves forward; it must still be that hour.
          if (candidate.hour !== hour) continue;
          if (candidate.toMillis() >= afterMs) return candidate.toJSDate();
        }
      }
    }
  }
  return null;
}

/** When week `week`'s digest falls due: the first DIGEST_CRON time once the week has ended. */
export function digestDueAt(week: string, cronExpression: string, zone: string): Date | null {
  const end = weekRange(week, zone).to;
  return nextCronTime(cronExpression, zone, new Date(end));
}

/** A cron tick that lands a moment before its time (a timer firing early) still counts as that tick. */
export const DUE_TOLERANCE_MS = 30_000;

/** How many weeks back a scheduled run still posts a missed week (the latest due week included). */
export const BACKFILL_WEEKS = 4;

/**
 * The newest week whose digest is due at `now`: the last complete week once its cron
 * time has passed, else the week before it.
 */
export function latestDueWeek(now: Date, cronExpression: string, zone: string): string {
  let week = lastCompleteWeek(now, zone);
  // A cron that fires rarely (monthly) can leave several weeks waiting; look back a year at most.
  for (let i = 0; i < 60; i += 1) {
    const due = digestDueAt(week, cronExpression, zone);
    if (due !== null && due.getTime() <= now.getTime() + DUE_TOLERANCE_MS) return week;
    week = shiftWeek(week, -1);
  }
  return week;
}
