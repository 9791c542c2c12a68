// The report as Markdown: the same sections and numbers as the HTML report, as tables that
// read well both rendered (GitHub, CI summaries) and as plain text.
import { displaySeries, foldSeries, perSecond, pointsPerRow, seriesSourceNote } from './display-series';
import { escapeMarkdownCell as cell, markdownTable } from './markup';
import type { LatencyDistribution, RunReportDocument } from './report-document';
import {
  PERCENTILE_COLUMNS,
  RECORDS_NOTE,
  describeListener,
  describeUpstreams,
  formatBytes,
  formatCount,
  formatDuration,
  formatLatency,
  formatMs,
  formatRate,
  formatShare,
  formatTimestamp,
  formatWindows,
  headline,
  statusLabel,
} from './report-text';

/** Longer runs are folded into this many rows. */
const MAX_TIME_ROWS = 120;
const BAR_WIDTH = 30;

export function renderMarkdownReport(doc: RunReportDocument): string {
  const sections = [
    `# fault run report\n\n> ${headline(doc)}`,
    runSection(doc),
    totalsSection(doc),
    faultsSection(doc),
    latencySection(doc),
    timeSection(doc),
    shardsSection(doc),
    exchangesSection(doc),
    `---\n\nSchema \`${doc.schema}\` · written by ${doc.generator.name} ${doc.generator.version}`,
  ];
  return `${sections.join('\n\n')}\n`;
}

function runSection(doc: RunReportDocument): string {
  const run = doc.run;
  const requested = run.requestedDurationMs === null ? 'until stopped' : `requested ${formatDuration(run.requestedDurationMs)}`;
  const rows = [
    ['Started', formatTimestamp(run.startedAt)],
    ['Ended', formatTimestamp(run.endedAt)],
    ['Duration', `${formatDuration(run.durationMs)} (${requested})`],
    ['Stopped by', cell(run.stopReason)],
    ['Shards', String(run.shards)],
    ['Seed', String(run.seed)],
    ['Listeners', run.listeners.map((l) => cell(describeListener(l))).join('<br>') || 'none'],
    ['Faults apply to', cell(describeUpstreams(run.upstreams))],
  ];
  const faults =
    run.faults.length === 0
      ? 'No faults configured.'
      : markdownTable(
          ['Fault', 'Settings', 'Active'],
          run.faults.map((f) => [cell(f.kind), cell(f.description), formatWindows(f.schedule)]),
        );
  return `## Run\n\n${markdownTable(['', ''], rows)}\n\n### Configured faults\n\n${faults}`;
}

function totalsSection(doc: RunReportDocument): string {
  const t = doc.totals;
  const table = markdownTable(
    ['Exchanges', 'Faulted', 'Passthrough', 'Errors', 'Exchanges/s', 'To upstreams', 'To clients', 'Connections', 'Cut at stop'],
    [
      [
        formatCount(t.exchanges),
        `${formatCount(t.faulted)} (${formatShare(t.faulted, t.exchanges)})`,
        formatCount(t.passthrough),
        `${formatCount(t.errors)} (${formatShare(t.errors, t.exchanges)})`,
        formatRate(t.exchangesPerSecond),
        formatBytes(t.bytesToUpstream),
        formatBytes(t.bytesToClient),
        formatCount(t.connectionsAccepted),
        formatCount(t.connectionsCutAtStop),
      ],
    ],
    'rrrrrrrrr',
  );
  return `## Totals\n\n${table}`;
}

function faultsSection(doc: RunReportDocument): string {
  if (doc.faults.length === 0) return '## Faults applied\n\nNone.';
  const rows = doc.faults.map((f) => [
    cell(f.kind),
    formatCount(f.applications),
    formatCount(f.exchangesAffected),
    formatShare(f.exchangesAffected, doc.totals.exchanges),
  ]);
  const note = 'An application is one action of a fault: a delayed chunk, a dropped packet, an answered request…';
  return `## Faults applied\n\n${markdownTable(['Fault', 'Applications', 'Exchanges affected', 'Share of exchanges'], rows, 'lrrr')}\n\n${note}`;
}

function latencySection(doc: RunReportDocument): string {
  const row = (label: string, d: LatencyDistribution) => [
    label,
    formatCount(d.count),
    ...PERCENTILE_COLUMNS.map(([, field]) => formatLatency(d[field], d.count)),
  ];
  const table = markdownTable(
    ['', 'Count', ...PERCENTILE_COLUMNS.map(([label]) => label)],
    [row('Exchange duration', doc.latency.exchangeDurations), row('Injected delay', doc.latency.injectedDelays)],
    'lrrrrrrrr',
  );
  return `## Latency\n\n${table}\n\n${histogramTable(doc.latency.exchangeDurations)}`;
}

function histogramTable(d: LatencyDistribution): string {
  const bins = d.histogram.bins;
  if (bins.length === 0) return '';
  const most = Math.max(...bins.map((b) => b.count));
  // Leading and trailing empty bins say nothing; inner ones show the gaps.
  const first = bins.findIndex((b) => b.count > 0);
  const last = bins.length - 1 - [...bins].reverse().findIndex((b) => b.count > 0);
  const rows = bins
    .slice(first, last + 1)
    .map((b) => [`${formatMs(b.fromMs)} – ${formatMs(b.toMs)}`, formatCount(b.count), bar(b.count / most)]);
  return `### Distribution of exchange durations\n\n${markdownTable(['Duration', 'Exchanges', ''], rows, 'lrl')}`;
}

function bar(fraction: number): string {
  const eighths = Math.round(fraction * BAR_WIDTH * 8);
  const partial = eighths % 8 ? '▏▎▍▌▋▊▉'[(eighths % 8) - 1] : '';
  return `${'█'.repeat(Math.floor(eighths / 8))}${partial}` || '·';
}

function timeSection(doc: RunReportDocument): string {
  const series = displaySeries(doc);
  if (series.points.length === 0) return '## Over time\n\nNo samples (the run was shorter than a second).';
  const points = foldSeries(series.points, MAX_TIME_ROWS);
  const rows = points.map((p) => [
    `${formatDuration(p.startMs)} – ${formatDuration(p.endMs)}`,
    formatCount(p.exchanges),
    formatRate(perSecond(p.exchanges, p)),
    formatCount(p.errors),
    formatLatency(p.p50Ms),
    formatLatency(p.p99Ms),
    p.openConnections === null ? '–' : formatCount(p.openConnections),
  ]);
  const merged = pointsPerRow(series.points.length, MAX_TIME_ROWS);
  const lines = [
    '## Over time',
    `Throughput \`${sparkline(points.map((p) => perSecond(p.exchanges, p)))}\` · p99 \`${sparkline(points.map((p) => p.p99Ms ?? 0))}\``,
    markdownTable(['Interval', 'Exchanges', 'Exchanges/s', 'Errors', 'p50', 'p99', 'Open connections'], rows, 'lrrrrrr'),
    seriesSourceNote(series) +
      (merged > 1 ? ` Rows merge ${merged} intervals each; their p50 and p99 are the highest of them.` : '') +
      ' The engine\'s own samples are in the JSON report (`timeSeries`).',
  ];
  return lines.join('\n\n');
}

function sparkline(values: number[]): string {
  const top = Math.max(...values);
  return values.map((v) => (top > 0 ? '▁▂▃▄▅▆▇█'[Math.min(7, Math.floor((v / top) * 7.999))] : '▁')).join('');
}

function shardsSection(doc: RunReportDocument): string {
  if (doc.shards.length === 0) return '## Shards\n\nNo traffic.';
  const rows = doc.shards.map((s) => [
    `#${s.shard}`,
    formatCount(s.exchanges),
    formatCount(s.faulted),
    formatCount(s.passthrough),
    formatCount(s.errors),
    formatCount(s.connectionsAccepted),
    formatBytes(s.bytesToUpstream),
    formatBytes(s.bytesToClient),
    Object.entries(s.faultsApplied).map(([kind, n]) => `${cell(kind)} ×${formatCount(n)}`).join(', ') || '–',
  ]);
  const headers = ['Shard', 'Exchanges', 'Faulted', 'Passthrough', 'Errors', 'Connections', 'To upstreams', 'To clients', 'Faults applied'];
  return `## Shards\n\n${markdownTable(headers, rows, 'rrrrrrrrl')}`;
}

function exchangesSection(doc: RunReportDocument): string {
  const x = doc.exchanges;
  const kept = `${RECORDS_NOTE}: ${formatCount(x.recordsKept)} kept, ${formatCount(x.recordsDropped)} dropped.`;
  const protocols = `By protocol: HTTP ${formatCount(x.byProtocol.http)}, CONNECT tunnels ${formatCount(x.byProtocol.connect)}, TCP ${formatCount(x.byProtocol.tcp)}.`;
  const statuses =
    x.statusCodes.length === 0
      ? 'None.'
      : markdownTable(
          ['Status', 'Exchanges', 'Share'],
          x.statusCodes.map((s) => [statusLabel(s.status), formatCount(s.count), formatShare(s.count, x.recordsKept)]),
          'lrr',
        );
  const errors =
    x.errorMessages.length === 0
      ? 'None.'
      : markdownTable(['Error', 'Exchanges'], x.errorMessages.map((e) => [cell(e.message), formatCount(e.count)]), 'lr');
  const slowest =
    x.slowest.length === 0
      ? 'None.'
      : markdownTable(
          ['Started', 'Duration', 'Request', 'Status', 'Faults', 'Injected', 'Shard'],
          x.slowest.map((e) => [
            formatTimestamp(e.startedAt, true),
            formatMs(e.durationMs),
            `${cell(e.method)} ${cell(e.target)}`,
            e.error === null ? (e.status === 0 ? '–' : String(e.status)) : `${e.status || '–'} (${cell(e.error)})`,
            e.passthrough ? 'passthrough' : cell(e.faults.join(', ')) || '–',
            e.injectedMs > 0 ? formatMs(e.injectedMs) : '–',
            `#${e.shard}`,
          ]),
          'lrllllr',
        );
  return [
    '## Exchanges',
    `${kept} ${protocols}`,
    `### Status codes\n\n${statuses}`,
    `### Errors\n\n${errors}`,
    `### Slowest exchanges\n\n${slowest}`,
  ].join('\n\n');
}
