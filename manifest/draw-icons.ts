/**
 * Draws the app's two icons (run once: `npx tsx manifest/draw-icons.ts`; the PNGs are
 * committed). Teams wants a 192x192 full-colour icon and a 32x32 outline icon that is
 * white on a transparent background. The picture: three bars of a chart rising.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

type Rgba = [number, number, number, number];

function draw(size: number, background: Rgba, bars: Array<[number, number, number, number]>, colour: Rgba): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inBar = bars.some(([x0, y0, x1, y1]) => x >= x0 && x < x1 && y >= y0 && y < y1);
      const [r, g, b, a] = inBar ? colour : background;
      const i = (y * size + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  }
  return PNG.sync.write(png);
}

/** Bars in a 32-unit grid, scaled to the icon size. */
function bars(size: number): Array<[number, number, number, number]> {
  const u = size / 32;
  const box = (x0: number, y0: number, x1: number, y1: number): [number, number, number, number] => [
    Math.round(x0 * u),
    Math.round(y0 * u),
    Math.round(x1 * u),
    Math.round(y1 * u),
  ];
  return [box(6, 18, 11, 27), box(13.5, 12, 18.5, 27), box(21, 5, 26, 27), box(4, 27, 28, 29)];
}

const here = new URL('.', import.meta.url);
writeFileSync(new URL('color.png', here), draw(192, [0x5b, 0x5f, 0xc7, 255], bars(192), [255, 255, 255, 255]));
writeFileSync(new URL('outline.png', here), draw(32, [0, 0, 0, 0], bars(32), [255, 255, 255, 255]));
process.stdout.write('wrote manifest/color.png (192x192) and manifest/outline.png (32x32)\n');
