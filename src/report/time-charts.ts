// The report's plots over the run's time: throughput and per-interval latency, with the
// faults' schedule windows as shaded bands.
import { BAND_COLORS, COLORS } from './chart-palette';
import { type SeriesPoint, displaySeries, foldSeries, perSecond } from './display-series';
import type { RunReportDocument } from './report-document';
import { formatMs, formatRate } from './report-text';
import {
  type Box,
  type LegendEntry,
  type Scale,
  type Tick,
  formatNumber,
  linePath,
  linearScale,
  message,
  n,
  niceMax,
  renderChart,
  valueTicks,
} from './svg-chart';

/** A plot has at most this many time points (about one per 1.5 px). */
const MAX_PLOT_POINTS = 600;

export function throughputChart(doc: RunReportDocument): string {
  const series = displaySeries(doc);
  const points = foldSeries(series.points, MAX_PLOT_POINTS);
  const hasErrors = points.some((p) => p.errors > 0);
  const endMs = runEndMs(doc);
  const bands = scheduledFaults(doc);
  const rate = (p: SeriesPoint) => perSecond(p.exchanges, p);
  const peak = points.reduce<SeriesPoint | undefined>((best, p) => (best === undefined || rate(p) > rate(best) ? p : best), undefined);
  const legend: LegendEntry[] = [{ label: 'exchanges per second', color: COLORS.throughput, shape: 'line' }];
  if (hasErrors) legend.push({ label: 'errors per second', color: COLORS.errors, shape: 'dashed' });
  legend.push(...bands.legend);
  return renderChart({
    id: 'chart-throughput',
    title: 'Throughput over time',
    description:
      peak === undefined
        ? 'No samples were taken.'
        : `Exchanges finished per second. Mean ${formatRate(doc.totals.exchangesPerSecond)} per second, ` +
          `peak ${formatRate(rate(peak))} per second at ${clock(peak.startMs / 1000)}. ${bands.words}`,
    xLabel: 'Time since the start of the run',
    yLabel: 'Exchanges per second',
    legend,
    draw(box) {
      const x = linearScale([0, endMs / 1000], [box.left, box.right]);
      const top = niceMax(Math.max(1, ...points.map(rate)));
      const y = linearScale([0, top], [box.bottom, box.top]);
      const content =
        peak === undefined
          ? message(box, 'No samples: the run was shorter than a second.')
          : [
              bands.draw(x, box, endMs),
              stepArea(points, rate, x, y, COLORS.throughput),
              stepLine(points, rate, x, y, COLORS.throughput, false),
              hasErrors ? stepLine(points, (p) => perSecond(p.errors, p), x, y, COLORS.errors, true) : '',
            ].join('');
      return { xTicks: timeTicks(endMs, x), yTicks: valueTicks(top, y, formatNumber), content };
    },
  });
}

export function latencyOverTimeChart(doc: RunReportDocument): string {
  const points = foldSeries(displaySeries(doc).points, MAX_PLOT_POINTS);
  const measured = points.filter((p) => p.p99Ms !== null);
  const endMs = runEndMs(doc);
  const bands = scheduledFaults(doc);
  const worst = measured.reduce<SeriesPoint | undefined>((w, p) => (w === undefined || p.p99Ms! > w.p99Ms! ? p : w), undefined);
  return renderChart({
    id: 'chart-latency-time',
    title: 'Latency over time',
    description:
      worst === undefined
        ? 'No exchange finished, so there is no latency to show.'
        : `The median (p50) and p99 duration of the exchanges finished in each interval. ` +
          `The highest p99 was ${formatMs(worst.p99Ms!)} at ${clock(worst.startMs / 1000)}. ${bands.words}`,
    xLabel: 'Time since the start of the run',
    yLabel: 'Exchange duration (ms)',
    legend: [
      { label: 'p50 of the interval', color: COLORS.p50, shape: 'line' },
      { label: 'p99 of the interval', color: COLORS.p99, shape: 'dashed' },
      ...bands.legend,
    ],
    draw(box) {
      const x = linearScale([0, endMs / 1000], [box.left, box.right]);
      const top = niceMax(Math.max(1, ...measured.map((p) => p.p99Ms!)));
      const y = linearScale([0, top], [box.bottom, box.top]);
      const content =
        worst === undefined
          ? message(box, 'No exchange finished during the run.')
          : [
              bands.draw(x, box, endMs),
              stepLine(points, (p) => p.p50Ms, x, y, COLORS.p50, false),
              stepLine(points, (p) => p.p99Ms, x, y, COLORS.p99, true),
            ].join('');
      return { xTicks: timeTicks(endMs, x), yTicks: valueTicks(top, y, formatNumber), content };
    },
  });
}

/** The end of the time axis: the run's duration, or the last point if that came later. */
function runEndMs(doc: RunReportDocument): number {
  const last = Math.max(doc.timeSeries.at(-1)?.elapsedMs ?? 0, doc.perSecond?.at(-1)?.startMs ?? 0);
  return Math.max(doc.run.durationMs, last, 1000);
}

/** A filled step shape under the series: each interval is a flat segment at its value. */
function stepArea(points: SeriesPoint[], value: (p: SeriesPoint) => number, x: Scale, y: Scale, color: string): string {
  const corners: Array<[number, number]> = [[x(points[0].startMs / 1000), y(0)]];
  for (const p of points) {
    const v = y(value(p));
    corners.push([x(p.startMs / 1000), v], [x(p.endMs / 1000), v]);
  }
  corners.push([x(points[points.length - 1].endMs / 1000), y(0)]);
  return `<path d="${linePath(corners)}Z" fill="${color}" fill-opacity="0.12" stroke="none"/>`;
}

/** The series as steps; intervals without a value (null) leave a gap. */
function stepLine(
  points: SeriesPoint[],
  value: (p: SeriesPoint) => number | null,
  x: Scale,
  y: Scale,
  color: string,
  dashed: boolean,
): string {
  const runs: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  for (const p of points) {
    const v = value(p);
    if (v === null) {
      if (current.length) runs.push(current);
      current = [];
    } else {
      current.push([x(p.startMs / 1000), y(v)], [x(p.endMs / 1000), y(v)]);
    }
  }
  if (current.length) runs.push(current);
  const dash = dashed ? ' stroke-dasharray="6 4"' : '';
  const d = runs.map((run) => linePath(run)).join('');
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash} stroke-linejoin="round"/>`;
}

interface Bands {
  legend: LegendEntry[];
  /** Sentence for the chart description. */
  words: string;
  draw(x: Scale, box: Box, endMs: number): string;
}

/** Scheduled faults as shaded bands, each with its own lane of solid marks along the top edge. */
function scheduledFaults(doc: RunReportDocument): Bands {
  const scheduled = doc.run.faults.filter((f) => f.schedule.length > 0);
  const names = scheduled.map((f, i) => {
    const sameKind = scheduled.filter((g) => g.kind === f.kind).length > 1;
    return sameKind ? `${f.kind} #${i + 1}` : f.kind;
  });
  const windowsText = (i: number) =>
    scheduled[i].schedule.map((w) => `${clock(w.startMs / 1000)}–${w.endMs === null ? 'end' : clock(w.endMs / 1000)}`).join(', ');
  return {
    legend: scheduled.map((_, i) => ({ label: `${names[i]} fault active`, color: bandColor(i), shape: 'band' })),
    words: scheduled.length === 0 ? '' : `Shaded: ${scheduled.map((_, i) => `${names[i]} fault active ${windowsText(i)}`).join('; ')}.`,
    draw(x, box, endMs) {
      const parts: string[] = [];
      scheduled.forEach((fault, i) => {
        for (const w of fault.schedule) {
          const x0 = Math.max(box.left, x(w.startMs / 1000));
          const x1 = Math.min(box.right, x((w.endMs ?? endMs) / 1000));
          if (x1 <= x0) continue;
          const color = bandColor(i);
          parts.push(
            `<rect x="${n(x0)}" y="${box.top}" width="${n(x1 - x0)}" height="${box.bottom - box.top}" fill="${color}" fill-opacity="0.16"/>`,
            `<rect x="${n(x0)}" y="${box.top + i * 6}" width="${n(x1 - x0)}" height="5" fill="${color}"/>`,
          );
        }
      });
      return `<g class="bands">${parts.join('')}</g>`;
    },
  };
}

function bandColor(index: number): string {
  return BAND_COLORS[index % BAND_COLORS.length];
}

/** Tick steps that read as clock time: seconds, then whole minutes, then whole hours. */
const TIME_STEPS_S = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

function timeTicks(endMs: number, x: Scale): Tick[] {
  const span = endMs / 1000;
  const step = TIME_STEPS_S.find((s) => span / s <= 8) ?? Math.ceil(span / 8 / 86400) * 86400;
  const ticks: Tick[] = [];
  for (let i = 0; i * step <= span + 1e-9; i++) ticks.push({ at: x(i * step), label: clock(i * step) });
  return ticks;
}

/** 0s, 1.5s, 45s, 2m, 2m30s, 1h, 1h15m. */
function clock(seconds: number): string {
  if (seconds < 60) return `${formatNumber(Number(seconds.toFixed(1)))}s`;
  const totalSeconds = Math.round(seconds);
  if (totalSeconds < 3600) {
    const rest = totalSeconds % 60;
    return `${Math.floor(totalSeconds / 60)}m${rest ? `${rest}s` : ''}`;
  }
  const minutes = Math.round(totalSeconds / 60);
  return `${Math.floor(minutes / 60)}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
}
