/**
 * Where a benchmark child spent its CPU: `node --import tsx bench/profileTop.ts FILE.cpuprofile`
 * prints the functions and the source files with the most self time. Profiles come from
 * `BENCH_CPU_PROFILE_DIR=/tmp/prof npm run bench` (one per child process).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './children.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

function place(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

/**
 * Self time per function and per file, largest first. Node's profiles carry a sample list
 * with time deltas (hitCount is left out), so time is summed per sampled node.
 */
export function selfTimes(profile: CpuProfile): { functions: SelfTime[]; files: SelfTime[]; totalMs: number } {
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  } else {
    const msPerHit =
      (profile.endTime - profile.startTime) /
      Math.max(
        1,
        profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0),
      );
    for (const node of profile.nodes) selfUs.set(node.id, (node.hitCount ?? 0) * msPerHit);
  }
  let totalUs = 0;
  for (const us of selfUs.values()) totalUs += us;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = place(url);
    const fn = `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / (totalUs || 1) }));
  return { functions: sorted(functions), files: sorted(files), totalMs: totalUs / 1000 };
}

function main(): void {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profileTop.ts FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 20);
  const { functions, files, totalMs } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const line = (t: SelfTime) =>
    `${(t.share * 100).toFixed(1).padStart(5)}%  ${Math.round(t.ms).toString().padStart(7)} ms  ${t.name}`;
  process.stdout.write(`${file}: ${Math.round(totalMs)} ms profiled\n\nSelf time by function:\n`);
  process.stdout.write(
    `${functions.slice(0, top).map(line).join('\n')}\n\nSelf time by file:\n${files.slice(0, top).map(line).join('\n')}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
