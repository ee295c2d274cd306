/**
 * Calendar dates of many instants in one zone, fast. Metrics turn tens of thousands of
 * instants into dates; asking luxon for each costs more than the rest of the computation.
 * The zone's offset is looked up once per UTC day: when it is the same at both ends of
 * the day, no transition happens inside it and date = UTC date of (instant + offset);
 * on a transition day the answer comes from server/time.ts itself.
 */
import { DateTime } from 'luxon';
import type { IsoDate } from '../domain/types.js';
import { calendarDate } from '../time.js';

const DAY_MS = 86_400_000;

export class ZoneCalendar {
  private readonly offsetsByUtcDay = new Map<number, number | null>();
  private readonly dateByLocalDay = new Map<number, IsoDate>();

  constructor(readonly zone: string) {}

  private steadyOffsetMs(utcDay: number): number | null {
    let offset = this.offsetsByUtcDay.get(utcDay);
    if (offset === undefined) {
      const atStart = DateTime.fromMillis(utcDay * DAY_MS, { zone: this.zone }).offset;
      const atEnd = DateTime.fromMillis((utcDay + 1) * DAY_MS - 1, { zone: this.zone }).offset;
      offset = atStart === atEnd ? atStart * 60_000 : null;
      this.offsetsByUtcDay.set(utcDay, offset);
    }
    return offset;
  }

  /** The calendar date (`YYYY-MM-DD`) of an instant in this zone. */
  dateOf(ms: number): IsoDate {
    const offset = this.steadyOffsetMs(Math.floor(ms / DAY_MS));
    if (offset === null) return calendarDate(new Date(ms), this.zone);
    const localDay = Math.floor((ms + offset) / DAY_MS);
    let date = this.dateByLocalDay.get(localDay);
    if (date === undefined) {
      date = new Date(localDay * DAY_MS).toISOString().slice(0, 10);
      this.dateByLocalDay.set(localDay, date);
    }
    return date;
  }
}

const calendars = new Map<string, ZoneCalendar>();

/** One shared calendar per zone, so its offset and date caches outlive a single computation. */
export function zoneCalendar(zone: string): ZoneCalendar {
  let calendar = calendars.get(zone);
  if (!calendar) {
    calendar = new ZoneCalendar(zone);
    calendars.set(zone, calendar);
  }
  return calendar;
}

const dayNumbers = new Map<string, number>();

/** Days since 1970-01-01 of a calendar date, so that date differences are subtractions. */
export function dayNumber(date: IsoDate): number {
  let day = dayNumbers.get(date);
  if (day === undefined) {
    day = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
    if (dayNumbers.size > 100_000) dayNumbers.clear();
    dayNumbers.set(date, day);
  }
  return day;
}
