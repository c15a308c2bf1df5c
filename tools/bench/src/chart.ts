import type { Result } from './peers/result';

/**
 * latencyChartSvg draws the send latency percentiles (p50, p99, p99.9, max; log scale) of each
 * system, one panel per workload (send-sync, send-64): a hand-written SVG, no dependencies.
 */

const PERCENTILES = [
  { label: 'p50', pick: (latency: NonNullable<Result['latencyMs']>) => latency.p50 },
  { label: 'p99', pick: (latency: NonNullable<Result['latencyMs']>) => latency.p99 },
  { label: 'p99.9', pick: (latency: NonNullable<Result['latencyMs']>) => latency.p999 },
  { label: 'max', pick: (latency: NonNullable<Result['latencyMs']>) => latency.max },
];
const COLORS: Record<string, string> = { quiver: '#1f5fbf', redis: '#d62728', rabbitmq: '#ff7f0e', nats: '#2ca02c' };
const FALLBACK_COLORS = ['#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const PANEL_WIDTH = 440;
const PANEL_HEIGHT = 360;
const MARGIN = { top: 70, right: 20, bottom: 50, left: 70 };
/** RATES_PER_LINE: systems per line of the rates under a panel, so the text stays inside it. */
const RATES_PER_LINE = 3;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char]!);
}

function formatMs(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 1) return value.toFixed(value >= 10 ? 1 : 2).replace(/\.?0+$/, '');
  return value.toPrecision(2).replace(/\.?0+$/, '');
}

export function latencyChartSvg(results: Result[], workloads: string[], title: string, note?: string): string {
  const systems = [...new Set(results.map((result) => result.system))];
  const color = (system: string): string => COLORS[system] ?? FALLBACK_COLORS[systems.indexOf(system) % FALLBACK_COLORS.length]!;
  const values = results
    .filter((result) => workloads.includes(result.workload) && result.latencyMs)
    .flatMap((result) => PERCENTILES.map((percentile) => percentile.pick(result.latencyMs!)))
    .filter((value) => value > 0);
  const low = Math.floor(Math.log10(values.length ? Math.min(...values) : 0.1));
  const high = Math.max(low + 1, Math.ceil(Math.log10(values.length ? Math.max(...values) : 100)));
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (ms: number): number => MARGIN.top + plotHeight - ((Math.log10(Math.max(ms, 10 ** low)) - low) / (high - low)) * plotHeight;
  const x = (index: number): number => MARGIN.left + (plotWidth * (index + 0.5)) / PERCENTILES.length;

  const width = PANEL_WIDTH * workloads.length;
  const height = PANEL_HEIGHT + (note ? 54 : 34);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  // Legend, centred under the title; each entry as wide as its label (about 7 px per character).
  const entryWidths = systems.map((system) => 28 + system.length * 7 + 18);
  const legendWidth = entryWidths.reduce((sum, entry) => sum + entry, 0);
  systems.forEach((system, index) => {
    const lx = width / 2 - legendWidth / 2 + entryWidths.slice(0, index).reduce((sum, entry) => sum + entry, 0);
    out.push(`<line x1="${lx}" y1="40" x2="${lx + 22}" y2="40" stroke="${color(system)}" stroke-width="3"/>`);
    out.push(`<circle cx="${lx + 11}" cy="40" r="4" fill="${color(system)}"/>`);
    out.push(`<text x="${lx + 28}" y="44">${escapeXml(system)}</text>`);
  });

  workloads.forEach((workload, panel) => {
    out.push(`<g transform="translate(${panel * PANEL_WIDTH},10)">`);
    out.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top - 10}" text-anchor="middle" font-weight="bold">${escapeXml(workload)}</text>`);
    // Decade grid lines with labels, and lighter lines at 2x and 5x.
    for (let decade = low; decade <= high; decade++) {
      const value = 10 ** decade;
      out.push(`<line x1="${MARGIN.left}" y1="${y(value).toFixed(1)}" x2="${MARGIN.left + plotWidth}" y2="${y(value).toFixed(1)}" stroke="#bbbbbb"/>`);
      out.push(`<text x="${MARGIN.left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${formatMs(value)}</text>`);
      if (decade < high) {
        for (const factor of [2, 5]) {
          out.push(`<line x1="${MARGIN.left}" y1="${y(value * factor).toFixed(1)}" x2="${MARGIN.left + plotWidth}" y2="${y(value * factor).toFixed(1)}" stroke="#eeeeee"/>`);
        }
      }
    }
    out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#444444"/>`);
    out.push(`<text transform="translate(${MARGIN.left - 48},${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`);
    PERCENTILES.forEach((percentile, index) => {
      out.push(`<text x="${x(index).toFixed(1)}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${percentile.label}</text>`);
    });
    for (const system of systems) {
      const result = results.find((candidate) => candidate.system === system && candidate.workload === workload);
      if (!result?.latencyMs) continue;
      const latency = result.latencyMs;
      const points = PERCENTILES.map((percentile, index) => [x(index), y(percentile.pick(latency))] as const);
      out.push(`<polyline fill="none" stroke="${color(system)}" stroke-width="2.5" points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`);
      PERCENTILES.forEach((percentile, index) => {
        const [px, py] = points[index]!;
        out.push(
          `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="4" fill="${color(system)}"><title>${escapeXml(`${system} ${workload} ${percentile.label}: ${percentile.pick(latency)} ms`)}</title></circle>`,
        );
      });
    }
    // Rates under the panel, three systems per line so they stay inside it.
    const rates = systems
      .map((system) => results.find((candidate) => candidate.system === system && candidate.workload === workload))
      .filter((result): result is Result => result !== undefined)
      .map((result) => `${result.system} ${Math.round(result.perSecond)}/s`);
    for (let line = 0; line * RATES_PER_LINE < rates.length; line++) {
      const text = rates.slice(line * RATES_PER_LINE, (line + 1) * RATES_PER_LINE).join(' · ');
      out.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 36 + line * 14}" text-anchor="middle" font-size="11" fill="#555555">${escapeXml(text)}</text>`);
    }
    out.push('</g>');
  });
  if (note) out.push(`<text x="${width / 2}" y="${height - 10}" text-anchor="middle" font-size="11" fill="#555555">${escapeXml(note)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
