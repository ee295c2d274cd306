/**
 * Compares an API answer with a reference computation: every number, with a relative
 * tolerance for floating-point sums; zero counts in count maps may be left out on either side.
 */
import { expect } from '@jest/globals';

function isCountMap(path: string): boolean {
  return /(bySeverity|byService|byDetection)$/.test(path);
}

function dropZeros(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== 0));
}

/** Collects every difference as `path: actual vs expected`; returns how many leaves were compared. */
export function compareNumbers(
  actual: unknown,
  expected: unknown,
  path = '$',
  differences: string[] = [],
): { compared: number; differences: string[] } {
  let compared = 0;
  if (typeof expected === 'number') {
    compared++;
    const ok = typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
    if (!ok) differences.push(`${path}: ${JSON.stringify(actual)} vs expected ${expected}`);
  } else if (expected === null || typeof expected !== 'object') {
    compared++;
    if (actual !== expected)
      differences.push(`${path}: ${JSON.stringify(actual)} vs expected ${JSON.stringify(expected)}`);
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      differences.push(
        `${path}: length ${Array.isArray(actual) ? actual.length : typeof actual} vs expected ${expected.length}`,
      );
    } else {
      expected.forEach((e, i) => {
        compared += compareNumbers(actual[i], e, `${path}[${i}]`, differences).compared;
      });
    }
  } else {
    let a = (actual ?? {}) as Record<string, unknown>;
    let e = expected as Record<string, unknown>;
    if (isCountMap(path)) {
      a = dropZeros(a);
      e = dropZeros(e);
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
    for (const key of keys) compared += compareNumbers(a[key], e[key], `${path}.${key}`, differences).compared;
  }
  return { compared, differences };
}

/** Asserts no difference; the message lists the first ones. */
export function expectSameNumbers(actual: unknown, expected: unknown): number {
  const { compared, differences } = compareNumbers(actual, expected);
  expect(differences.slice(0, 20)).toEqual([]);
  expect(compared).toBeGreaterThan(0);
  return compared;
}
