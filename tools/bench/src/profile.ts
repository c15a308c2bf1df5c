import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Summaries of V8 `.cpuprofile` files (written by `--cpu-prof`, see the bench's `--cpu-prof DIR`):
 * self and inclusive time per function over a window of the profile, as shares of the main
 * thread's busy samples (idle excluded). V8 stamps samples in monotonic microseconds, the clock of
 * `process.hrtime`, so a window printed by the bench for a workload selects that workload's
 * samples in a server's profile.
 */

/** How many functions each table lists. */
const SUMMARY_ROWS = Number(process.env.PROFILE_ROWS ?? 40);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function monotonicMicros(): number {
  return Math.round(Number(process.hrtime.bigint()) / 1000);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === '' ? '' : ` ${path.basename(url)}:${lineNumber + 1}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${where}`;
}

/** summarizeProfile reads a `.cpuprofile` and renders its busiest functions within `window` ("START:END" in microseconds), or all of it. */
export function summarizeProfile(file: string, window?: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const [from, to] = window === undefined ? [-Infinity, Infinity] : window.split(':').map(Number);
  if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to)) throw new Error(`--window wants START:END in microseconds, not ${window}`);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (at < from || at > to) return;
    const node = byId.get(id);
    if (node === undefined) return;
    if (node.callFrame.functionName === '(idle)') {
      idle++;
      return;
    }
    busy++;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + 1);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = frameName(byId.get(current)!);
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + 1);
    }
  });
  const table = (title: string, counts: Map<string, number>): string =>
    [
      `${title} (% of ${busy} busy samples)`,
      ...[...counts.entries()]
        .filter(([name]) => name !== '(root)')
        .sort((a, b) => b[1] - a[1])
        .slice(0, SUMMARY_ROWS)
        .map(([name, count]) => `${((100 * count) / Math.max(1, busy)).toFixed(1).padStart(6)}  ${name}`),
    ].join('\n');
  const idleShare = (100 * idle) / Math.max(1, idle + busy);
  return `${path.basename(file)}: ${busy + idle} samples in the window, ${idleShare.toFixed(1)}% idle\n\n${table('self', self)}\n\n${table('inclusive', inclusive)}\n`;
}
