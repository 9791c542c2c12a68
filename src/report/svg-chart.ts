// A small SVG charting kit for the HTML report: scales, "nice" ticks, and a chart frame with
// axes, grid, axis titles, a legend and an accessible title/description. No dependencies, so
// the report stays one self-contained file.
import { escapeHtml } from './markup';

export type Scale = (value: number) => number;

/** The plotting area inside the chart, in SVG user units. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Tick {
  at: number;
  label: string;
}

export interface LegendEntry {
  label: string;
  color: string;
  shape: 'line' | 'dashed' | 'band' | 'bar';
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the chart shows, in words, for screen readers. */
  description: string;
  xLabel: string;
  yLabel: string;
  legend: LegendEntry[];
  /** Draws the data once the frame knows where the plotting area is. */
  draw(box: Box): { xTicks: Tick[]; yTicks: Tick[]; content: string };
}

export const CHART_WIDTH = 880;
export const CHART_HEIGHT = 340;
const MARGIN = { left: 72, right: 24, bottom: 52 };
const LEGEND_ROW = 20;
/** Rough width of a character of 12 px sans-serif text, to lay out the legend. */
const CHAR_WIDTH = 6.8;

export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

export function logScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return (value) => r0 + ((Math.log10(Math.max(value, d0 / 10)) - l0) / span) * (r1 - r0);
}

/** A round step (1, 2 or 5 × 10^n) that cuts `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (span <= 0) return 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
}

/** The top of an axis that starts at 0: `max` rounded up to a whole step. */
export function niceMax(max: number, count = 5): number {
  if (max <= 0) return 1;
  const step = niceStep(max, count);
  return Math.ceil(max / step - 1e-9) * step;
}

export function linearTicks(min: number, max: number, count = 6): number[] {
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** 1, 2, 5 × 10^n inside [min, max]; only powers of ten when that already gives enough. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  const multipliers = Math.log10(max / min) > 3 ? [1] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of multipliers) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(Number(v.toPrecision(12)));
    }
  }
  return ticks;
}

/** Ticks from 0 to `top` on a value axis. */
export function valueTicks(top: number, y: Scale, label: (v: number) => string = formatNumber): Tick[] {
  return linearTicks(0, top, 5).map((v) => ({ at: y(v), label: label(v) }));
}

/** Tick labels: thousands separated, at most 3 decimals. */
export function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** Coordinates rounded to 0.1 unit keep the file small. */
export function n(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

export function linePath(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)} ${n(y)}`).join('');
}

export function message(box: Box, text: string): string {
  const x = (box.left + box.right) / 2;
  const y = (box.top + box.bottom) / 2;
  return `<text class="chart-message" x="${n(x)}" y="${n(y)}" text-anchor="middle">${escapeHtml(text)}</text>`;
}

export function renderChart(spec: ChartSpec): string {
  const legend = layoutLegend(spec.legend);
  const box: Box = {
    left: MARGIN.left,
    top: 16 + legend.height,
    right: CHART_WIDTH - MARGIN.right,
    bottom: CHART_HEIGHT - MARGIN.bottom,
  };
  const { xTicks, yTicks, content } = spec.draw(box);
  const titleId = `${spec.id}-title`;
  const descId = `${spec.id}-desc`;
  return [
    `<svg class="chart" id="${spec.id}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="${titleId} ${descId}" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${titleId}">${escapeHtml(spec.title)}</title>`,
    `<desc id="${descId}">${escapeHtml(spec.description)}</desc>`,
    grid(box, yTicks),
    `<g class="plot">${content}</g>`,
    axes(box, xTicks, yTicks, spec.xLabel, spec.yLabel),
    legend.svg,
    '</svg>',
  ].join('\n');
}

function grid(box: Box, yTicks: Tick[]): string {
  const lines = yTicks.map((t) => `<line x1="${box.left}" x2="${box.right}" y1="${n(t.at)}" y2="${n(t.at)}"/>`);
  return `<g class="grid" aria-hidden="true">${lines.join('')}</g>`;
}

function axes(box: Box, xTicks: Tick[], yTicks: Tick[], xLabel: string, yLabel: string): string {
  const parts: string[] = [];
  parts.push(`<line x1="${box.left}" x2="${box.right}" y1="${box.bottom}" y2="${box.bottom}"/>`);
  parts.push(`<line x1="${box.left}" x2="${box.left}" y1="${box.top}" y2="${box.bottom}"/>`);
  for (const t of xTicks) {
    parts.push(`<line x1="${n(t.at)}" x2="${n(t.at)}" y1="${box.bottom}" y2="${box.bottom + 5}"/>`);
    parts.push(`<text x="${n(t.at)}" y="${box.bottom + 19}" text-anchor="middle">${escapeHtml(t.label)}</text>`);
  }
  for (const t of yTicks) {
    parts.push(`<line x1="${box.left - 5}" x2="${box.left}" y1="${n(t.at)}" y2="${n(t.at)}"/>`);
    parts.push(`<text x="${box.left - 8}" y="${n(t.at + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`);
  }
  const midX = (box.left + box.right) / 2;
  const midY = (box.top + box.bottom) / 2;
  parts.push(`<text class="axis-title" x="${n(midX)}" y="${CHART_HEIGHT - 10}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  parts.push(
    `<text class="axis-title" transform="translate(16 ${n(midY)}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  return `<g class="axis" aria-hidden="true">${parts.join('')}</g>`;
}

function layoutLegend(entries: LegendEntry[]): { svg: string; height: number } {
  if (entries.length === 0) return { svg: '', height: 8 };
  const parts: string[] = [];
  let x = MARGIN.left;
  let row = 0;
  for (const entry of entries) {
    const width = 26 + entry.label.length * CHAR_WIDTH + 20;
    if (x + width > CHART_WIDTH - MARGIN.right && x > MARGIN.left) {
      x = MARGIN.left;
      row++;
    }
    const y = 12 + row * LEGEND_ROW;
    parts.push(`${swatch(entry, x, y)}<text x="${n(x + 26)}" y="${y + 4}">${escapeHtml(entry.label)}</text>`);
    x += width;
  }
  return { svg: `<g class="legend" aria-hidden="true">${parts.join('')}</g>`, height: (row + 1) * LEGEND_ROW + 8 };
}

function swatch(entry: LegendEntry, x: number, y: number): string {
  switch (entry.shape) {
    case 'line':
    case 'dashed': {
      const dash = entry.shape === 'dashed' ? ' stroke-dasharray="5 3"' : '';
      return `<line x1="${n(x)}" x2="${n(x + 20)}" y1="${y}" y2="${y}" stroke="${entry.color}" stroke-width="2.5"${dash}/>`;
    }
    case 'band':
      return `<rect x="${n(x)}" y="${y - 7}" width="20" height="14" fill="${entry.color}" fill-opacity="0.22" stroke="${entry.color}"/>`;
    case 'bar':
      return `<rect x="${n(x)}" y="${y - 7}" width="20" height="14" fill="${entry.color}"/>`;
  }
}
