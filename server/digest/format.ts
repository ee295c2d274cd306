/**
 * How the digest writes numbers: short, unambiguous, and with the change spelled out,
 * because the card is read in a meeting, not studied.
 */

const MINUS = '\u2212';

/** `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`; `n/a` when there is no value. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'n/a';
  const s = Math.round(Math.abs(seconds));
  const sign = seconds < 0 ? MINUS : '';
  if (s < 60) return `${sign}${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${sign}${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return `${sign}${h} h${m ? ` ${m} min` : ''}`;
  }
  const hours = Math.round(s / 3600);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return `${sign}${d} d${h ? ` ${h} h` : ''}`;
}

/** The change of a duration: `+8 min`, `−1 h 5 min`, `no change`, `n/a`. */
export function formatDurationChange(current: number | null, previous: number | null): string {
  if (current === null || previous === null) return 'n/a';
  const delta = current - previous;
  if (Math.round(delta) === 0) return 'no change';
  return delta > 0 ? `+${formatDuration(delta)}` : formatDuration(delta);
}

export function formatCountChange(current: number, previous: number): string {
  const delta = current - previous;
  if (delta === 0) return 'no change';
  return delta > 0 ? `+${delta}` : `${MINUS}${-delta}`;
}

/** A rate in [0, 1] as a whole percentage; `n/a` when undefined. */
export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${Math.round(rate * 100)}%`;
}

/** The change of a rate in percentage points. */
export function formatRateChange(current: number | null, previous: number | null): string {
  if (current === null || previous === null) return 'n/a';
  const points = Math.round(current * 100) - Math.round(previous * 100);
  if (points === 0) return 'no change';
  const unit = Math.abs(points) === 1 ? 'pt' : 'pts';
  return points > 0 ? `+${points} ${unit}` : `${MINUS}${-points} ${unit}`;
}

/**
 * Text from Jira (summaries, names) inside a markdown TextBlock: the characters of the
 * card's markdown subset (emphasis and links) are escaped so a summary cannot turn into
 * a link or bold text, and long text is cut.
 */
export function plainText(text: string, maxLength = 120): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const cut = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1).trimEnd()}\u2026` : oneLine;
  return cut.replace(/([\\*_[\]])/g, '\\$1');
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A p-value for people: `p = 0.031`, `p < 0.001`. */
export function formatPValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}
