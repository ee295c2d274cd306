import { describe, it, expect } from '@jest/globals';
import { PNG } from 'pngjs';
import { renderIncidentsPerWeekPng } from '../../server/digest/chart.js';
import type { WeekCount } from '../../server/domain/api.js';

function pixel(png: PNG, x: number, y: number): [number, number, number, number] {
  const i = (png.width * y + x) * 4;
  return [png.data[i] ?? 0, png.data[i + 1] ?? 0, png.data[i + 2] ?? 0, png.data[i + 3] ?? 0];
}

function colourCount(png: PNG, rgb: [number, number, number]): number {
  let n = 0;
  for (let y = 0; y < png.height; y += 1) {
    for (let x = 0; x < png.width; x += 1) {
      const [r, g, b] = pixel(png, x, y);
      if (r === rgb[0] && g === rgb[1] && b === rgb[2]) n += 1;
    }
  }
  return n;
}

const weeks: WeekCount[] = [
  { weekStart: '2026-11-02', total: 1, bySeverity: { P2: 1 } },
  { weekStart: '2026-11-09', total: 0, bySeverity: {} },
  { weekStart: '2026-11-16', total: 3, bySeverity: { P0: 2, P2: 1 } },
];

describe('incidents-per-week chart', () => {
  it('renders an opaque PNG of the requested size with a bar per severity present', async () => {
    const png = PNG.sync.read(await renderIncidentsPerWeekPng(weeks, { width: 600, height: 250 }));
    expect([png.width, png.height]).toEqual([600, 250]);
    expect(pixel(png, 1, 1)).toEqual([255, 255, 255, 255]); // white background, not transparent
    const p0 = colourCount(png, [0xb3, 0x26, 0x1e]);
    const p2 = colourCount(png, [0xf2, 0xb7, 0x05]);
    expect(p0).toBeGreaterThan(1000);
    expect(p2).toBeGreaterThan(1000);
    // Two P0 incidents against two P2 incidents in all: about the same area (bars and legend).
    expect(p0 / p2).toBeGreaterThan(0.6);
    expect(p0 / p2).toBeLessThan(1.6);
    expect(colourCount(png, [0xe8, 0x71, 0x0a])).toBe(0); // no P1 bar, no P1 legend
  });

  it('draws an empty chart when nothing happened', async () => {
    const png = PNG.sync.read(await renderIncidentsPerWeekPng([{ weekStart: '2026-11-16', total: 0, bySeverity: {} }]));
    expect([png.width, png.height]).toEqual([720, 300]);
    expect(colourCount(png, [0xb3, 0x26, 0x1e])).toBe(0);
  });
});
