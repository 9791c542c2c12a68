// The report's plots of the latency distribution: a histogram and the percentile curve.
import { COLORS } from './chart-palette';
import type { LatencyDistribution, RunReportDocument } from './report-document';
import { formatMs } from './report-text';
import {
  type Box,
  type LegendEntry,
  type Scale,
  formatNumber,
  linePath,
  linearScale,
  linearTicks,
  logScale,
  logTicks,
  message,
  n,
  niceMax,
  renderChart,
  valueTicks,
} from './svg-chart';

/** 99.99 %: the right end of the percentile axis, 4 decades of 1/(1 - p). */
const PERCENTILE_DECADES = 4;

export function latencyHistogramChart(doc: RunReportDocument): string {
  const d = doc.latency.exchangeDurations;
  const bins = d.histogram.bins;
  const log = d.histogram.scale === 'log';
  return renderChart({
    id: 'chart-histogram',
    title: 'Distribution of exchange durations',
    description:
      d.count === 0
        ? 'No exchange finished, so there is no distribution to show.'
        : `How many exchanges took how long, ${bins.length} bins on a ${log ? 'logarithmic' : 'linear'} scale from ` +
          `${formatMs(bins[0].fromMs)} to ${formatMs(bins[bins.length - 1].toMs)}. ` +
          `Median ${formatMs(d.p50Ms)}, p99 ${formatMs(d.p99Ms)}, slowest ${formatMs(d.maxMs)}.`,
    xLabel: `Exchange duration (ms${log ? ', logarithmic scale' : ''})`,
    yLabel: 'Exchanges',
    legend:
      d.count === 0
        ? []
        : [
            { label: 'exchanges in the bin', color: COLORS.bars, shape: 'bar' },
            { label: 'p50', color: COLORS.p50, shape: 'dashed' },
            { label: 'p99', color: COLORS.p99, shape: 'dashed' },
          ],
    draw(box) {
      if (d.count === 0) return { xTicks: [], yTicks: [], content: message(box, 'No exchange finished during the run.') };
      const domain: [number, number] = [bins[0].fromMs, bins[bins.length - 1].toMs];
      const x = log ? logScale(domain, [box.left, box.right]) : linearScale(domain, [box.left, box.right]);
      const top = niceMax(Math.max(...bins.map((b) => b.count)));
      const y = linearScale([0, top], [box.bottom, box.top]);
      const bars = bins
        .filter((b) => b.count > 0)
        .map((b) => {
          const x0 = x(b.fromMs) + 0.5;
          const width = Math.max(1, x(b.toMs) - x(b.fromMs) - 1);
          return `<rect x="${n(x0)}" y="${n(y(b.count))}" width="${n(width)}" height="${n(box.bottom - y(b.count))}" fill="${COLORS.bars}" stroke="${COLORS.barEdge}" stroke-width="0.6"><title>${formatMs(b.fromMs)} – ${formatMs(b.toMs)}: ${b.count}</title></rect>`;
        });
      const markers = [percentileMarker('p50', d.p50Ms, x, box, COLORS.p50, 0), percentileMarker('p99', d.p99Ms, x, box, COLORS.p99, 1)];
      const values = log ? logTicks(domain[0], domain[1]) : linearTicks(domain[0], domain[1], 8);
      return {
        xTicks: values.map((v) => ({ at: x(v), label: msLabel(v) })),
        yTicks: valueTicks(top, y, formatNumber),
        content: bars.join('') + markers.join(''),
      };
    },
  });
}

function percentileMarker(label: string, ms: number, x: Scale, box: Box, color: string, row: number): string {
  const at = x(ms);
  const textY = box.top + 12 + row * 14;
  // Labels go left of the line when it is near the right edge.
  const anchor = at > box.right - 120 ? 'end' : 'start';
  const textX = anchor === 'end' ? at - 4 : at + 4;
  return (
    `<line x1="${n(at)}" x2="${n(at)}" y1="${box.top}" y2="${box.bottom}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
    `<text class="marker-label" x="${n(textX)}" y="${textY}" text-anchor="${anchor}">${label} ${formatMs(ms)}</text>`
  );
}

export function percentileCurveChart(doc: RunReportDocument): string {
  const durations = doc.latency.exchangeDurations;
  const injected = doc.latency.injectedDelays;
  const legend: LegendEntry[] = [];
  if (durations.count) legend.push({ label: 'exchange duration', color: COLORS.throughput, shape: 'line' });
  if (injected.count) legend.push({ label: 'injected delay', color: COLORS.injected, shape: 'dashed' });
  return renderChart({
    id: 'chart-percentiles',
    title: 'Latency by percentile',
    description:
      durations.count === 0
        ? 'No exchange finished, so there are no percentiles to show.'
        : `The duration under which a given share of the exchanges finished, from 0 to 99.99 percent on a logarithmic scale of the tail. ` +
          `p50 ${formatMs(durations.p50Ms)}, p90 ${formatMs(durations.p90Ms)}, p99 ${formatMs(durations.p99Ms)}, p99.9 ${formatMs(durations.p999Ms)}.` +
          (injected.count ? ` Injected delays: p50 ${formatMs(injected.p50Ms)}, p99 ${formatMs(injected.p99Ms)}.` : ''),
    xLabel: 'Percentile (logarithmic scale of the tail)',
    yLabel: 'Latency (ms)',
    legend,
    draw(box) {
      const x = linearScale([0, PERCENTILE_DECADES], [box.left, box.right]);
      const xTicks = ['0%', '90%', '99%', '99.9%', '99.99%'].map((label, i) => ({ at: x(i), label }));
      if (durations.count === 0) return { xTicks, yTicks: [], content: message(box, 'No exchange finished during the run.') };
      const highest = Math.max(...[durations, injected].flatMap((d) => d.percentileCurve.map((p) => p.ms)));
      const top = niceMax(Math.max(highest, 0.001));
      const y = linearScale([0, top], [box.bottom, box.top]);
      const content = [
        curve(durations, x, y, COLORS.throughput, false),
        injected.count ? curve(injected, x, y, COLORS.injected, true) : '',
        curveMarkers(durations, x, y),
      ].join('');
      return { xTicks, yTicks: valueTicks(top, y, formatNumber), content };
    },
  });
}

/** Position on the percentile axis: decades of 1/(1 - p). */
function tailPosition(percentile: number): number {
  return Math.min(PERCENTILE_DECADES, Math.log10(100 / Math.max(100 - percentile, 1e-9)));
}

function curve(d: LatencyDistribution, x: Scale, y: Scale, color: string, dashed: boolean): string {
  const points = d.percentileCurve.map((p): [number, number] => [x(tailPosition(p.percentile)), y(p.ms)]);
  const dash = dashed ? ' stroke-dasharray="6 4"' : '';
  return `<path d="${linePath(points)}" fill="none" stroke="${color}" stroke-width="2.5"${dash} stroke-linejoin="round"/>`;
}

function curveMarkers(d: LatencyDistribution, x: Scale, y: Scale): string {
  const marks: Array<[string, number, number]> = [
    ['p50', 50, d.p50Ms],
    ['p90', 90, d.p90Ms],
    ['p99', 99, d.p99Ms],
    ['p99.9', 99.9, d.p999Ms],
  ];
  return marks
    .map(([label, percentile, ms]) => {
      const cx = x(tailPosition(percentile));
      const cy = y(ms);
      return (
        `<circle cx="${n(cx)}" cy="${n(cy)}" r="4" fill="${COLORS.throughput}" stroke="white" stroke-width="1.5"/>` +
        `<text class="marker-label" x="${n(cx + 6)}" y="${n(cy - 8)}">${label} ${formatMs(ms)}</text>`
      );
    })
    .join('');
}

function msLabel(ms: number): string {
  return ms >= 1000 ? `${formatNumber(ms / 1000)} s` : `${formatNumber(ms)} ms`;
}
