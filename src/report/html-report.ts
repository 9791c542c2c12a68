// The report as one self-contained HTML page: summary cards, inline SVG plots and the same
// tables as the Markdown report. No scripts, no external CSS, fonts or images.
import { displaySeries, foldSeries, perSecond, pointsPerRow, seriesSourceNote } from './display-series';
import { latencyHistogramChart, percentileCurveChart } from './distribution-charts';
import { REPORT_CSS } from './html-style';
import { type Cell, type Column, htmlTable } from './html-table';
import { latencyOverTimeChart, throughputChart } from './time-charts';
import { escapeHtml } from './markup';
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

/** Rows of the time-series table; longer runs are folded. */
const MAX_TIME_ROWS = 600;

export function renderHtmlReport(doc: RunReportDocument): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${doc.generator.name} ${doc.generator.version}`)}">
<title>fault run report · ${escapeHtml(formatTimestamp(doc.run.startedAt))}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${header(doc)}
<main>
${summaryCards(doc)}
${timeSection(doc)}
${latencySection(doc)}
${faultsSection(doc)}
${exchangesSection(doc)}
${runSection(doc)}
${shardsSection(doc)}
${timeSeriesSection(doc)}
</main>
<footer>Schema <code>${escapeHtml(doc.schema)}</code> · written by ${escapeHtml(doc.generator.name)} ${escapeHtml(doc.generator.version)} · ${escapeHtml(formatTimestamp(doc.run.endedAt))}</footer>
</body>
</html>
`;
}

function header(doc: RunReportDocument): string {
  const run = doc.run;
  const subtitle =
    `Started ${formatTimestamp(run.startedAt)}, ran ${formatDuration(run.durationMs)}, stopped by ${run.stopReason} · ` +
    `${run.shards} shard${run.shards === 1 ? '' : 's'} · seed ${run.seed}`;
  const links = [
    ['over-time', 'Over time'],
    ['latency', 'Latency'],
    ['faults', 'Faults'],
    ['exchanges', 'Exchanges'],
    ['run', 'Run'],
    ['shards', 'Shards'],
    ['samples', 'Samples'],
  ];
  return `<header>
<h1><span>fault</span> run report</h1>
<p class="subtitle">${escapeHtml(subtitle)}</p>
<nav aria-label="Sections">${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
</header>`;
}

function summaryCards(doc: RunReportDocument): string {
  const t = doc.totals;
  const d = doc.latency.exchangeDurations;
  const injected = doc.latency.injectedDelays;
  const card = (label: string, value: string, detail: string, bad = false) =>
    `<div class="card${bad ? ' bad' : ''}"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd><dd class="detail">${escapeHtml(detail)}</dd></div>`;
  const cards = [
    card('Exchanges', formatCount(t.exchanges), `${formatRate(t.exchangesPerSecond)} per second`),
    card('Faulted', formatCount(t.faulted), `${formatShare(t.faulted, t.exchanges)} of exchanges`),
    card('Errors', formatCount(t.errors), `${formatShare(t.errors, t.exchanges)} of exchanges`, t.errors > 0),
    card('p50 duration', formatLatency(d.p50Ms, d.count), `mean ${formatLatency(d.meanMs, d.count)}`),
    card('p99 duration', formatLatency(d.p99Ms, d.count), `max ${formatLatency(d.maxMs, d.count)}`),
    card('Injected p50', formatLatency(injected.p50Ms, injected.count), `${formatCount(injected.count)} exchanges delayed`),
  ];
  return `<section aria-labelledby="summary-title">
<h2 id="summary-title" class="visually-hidden">Summary</h2>
<p class="visually-hidden">${escapeHtml(headline(doc))}</p>
<dl class="cards">${cards.join('')}</dl>
</section>`;
}

function figure(title: string, svg: string, caption: string): string {
  return `<figure><h3>${escapeHtml(title)}</h3>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function timeSection(doc: RunReportDocument): string {
  const always = doc.run.faults.filter((f) => f.schedule.length === 0).map((f) => f.kind);
  const scheduled = doc.run.faults.filter((f) => f.schedule.length > 0);
  const notes = [
    scheduled.length ? 'Shaded bands mark when each scheduled fault was active; the strips along the top edge tell them apart where they overlap.' : '',
    always.length ? `Active for the whole run: ${always.join(', ')}.` : '',
    seriesSourceNote(displaySeries(doc)),
  ].filter(Boolean);
  return `<section id="over-time">
<h2>Over time</h2>
${figure('Throughput', throughputChart(doc), notes.join(' '))}
${figure('Latency per interval', latencyOverTimeChart(doc), 'The p50 and p99 of the exchanges that finished in each interval. Intervals where none finished are gaps.')}
</section>`;
}

function latencySection(doc: RunReportDocument): string {
  const row = (label: string, d: LatencyDistribution): Cell[] => [
    label,
    formatCount(d.count),
    ...PERCENTILE_COLUMNS.map(([, field]) => formatLatency(d[field], d.count)),
  ];
  const columns: Column[] = [
    { header: '' },
    { header: 'Count', numeric: true },
    ...PERCENTILE_COLUMNS.map(([label]) => ({ header: label, numeric: true })),
  ];
  const table = htmlTable('Latency percentiles, from the HDR histograms of all shards', columns, [
    row('Exchange duration', doc.latency.exchangeDurations),
    row('Injected delay', doc.latency.injectedDelays),
  ]);
  return `<section id="latency">
<h2>Latency</h2>
${table}
${figure('Histogram of exchange durations', latencyHistogramChart(doc), 'Dashed lines mark the p50 and the p99 of the whole run.')}
${figure(
  'Percentile curve',
  percentileCurveChart(doc),
  'Read it as: this share of exchanges finished within that time. The x axis stretches the tail (90 %, 99 %, 99.9 %…) so rare slow exchanges are visible.',
)}
</section>`;
}

function faultsSection(doc: RunReportDocument): string {
  const configured =
    doc.run.faults.length === 0
      ? '<p>No faults configured.</p>'
      : htmlTable(
          'Configured faults',
          [{ header: 'Fault' }, { header: 'Settings' }, { header: 'Active' }],
          doc.run.faults.map((f) => [f.kind, f.description, formatWindows(f.schedule)]),
        );
  const applied =
    doc.faults.length === 0
      ? ''
      : htmlTable(
          'Faults applied',
          [
            { header: 'Fault' },
            { header: 'Applications', numeric: true },
            { header: 'Exchanges affected', numeric: true },
            { header: 'Share of exchanges', numeric: true },
          ],
          doc.faults.map((f) => [
            f.kind,
            formatCount(f.applications),
            formatCount(f.exchangesAffected),
            formatShare(f.exchangesAffected, doc.totals.exchanges),
          ]),
        ) + '<p class="note">An application is one action of a fault: a delayed chunk, a dropped packet, an answered request…</p>';
  return `<section id="faults">
<h2>Faults</h2>
${configured}
${applied}
</section>`;
}

function exchangesSection(doc: RunReportDocument): string {
  const x = doc.exchanges;
  const dropped = x.recordsDropped > 0 ? ` <strong>${formatCount(x.recordsDropped)} dropped</strong>` : ' none dropped';
  const intro =
    `<p class="note">${escapeHtml(RECORDS_NOTE)}: ${formatCount(x.recordsKept)} kept,${dropped}. ` +
    `By protocol: HTTP ${formatCount(x.byProtocol.http)}, CONNECT tunnels ${formatCount(x.byProtocol.connect)}, TCP ${formatCount(x.byProtocol.tcp)}.</p>`;
  const statuses = htmlTable(
    'Status codes',
    [{ header: 'Status' }, { header: 'Exchanges', numeric: true }, { header: 'Share', numeric: true }],
    x.statusCodes.map((s) => [statusLabel(s.status), formatCount(s.count), formatShare(s.count, x.recordsKept)]),
  );
  const errors =
    x.errorMessages.length === 0
      ? '<p class="note">No exchange ended in an error.</p>'
      : htmlTable(
          'Most frequent errors',
          [{ header: 'Error', wrap: true }, { header: 'Exchanges', numeric: true }],
          x.errorMessages.map((e) => [e.message, formatCount(e.count)]),
        );
  const slowest =
    x.slowest.length === 0
      ? ''
      : htmlTable(
          'Slowest exchanges',
          [
            { header: 'Duration', numeric: true },
            { header: 'Request', wrap: true },
            { header: 'Status' },
            { header: 'Faults' },
            { header: 'Injected', numeric: true },
            { header: 'Started' },
            { header: 'Shard', numeric: true },
          ],
          x.slowest.map((e) => [
            formatMs(e.durationMs),
            { html: `<code>${escapeHtml(e.method)}</code> ${escapeHtml(e.target)}` },
            e.error === null ? (e.status === 0 ? '–' : String(e.status)) : `${e.status || '–'} (${e.error})`,
            e.passthrough ? 'passthrough' : e.faults.join(', ') || '–',
            e.injectedMs > 0 ? formatMs(e.injectedMs) : '–',
            formatTimestamp(e.startedAt, true),
            `#${e.shard}`,
          ]),
        );
  return `<section id="exchanges">
<h2>Exchanges</h2>
${intro}
${x.statusCodes.length ? statuses : ''}
${errors}
${slowest}
</section>`;
}

function runSection(doc: RunReportDocument): string {
  const run = doc.run;
  const t = doc.totals;
  const facts: Array<[string, string]> = [
    ['Started', formatTimestamp(run.startedAt, true)],
    ['Ended', formatTimestamp(run.endedAt, true)],
    ['Duration', `${formatDuration(run.durationMs)}${run.requestedDurationMs === null ? ' (until stopped)' : ` (requested ${formatDuration(run.requestedDurationMs)})`}`],
    ['Stopped by', run.stopReason],
    ['Shards', String(run.shards)],
    ['Seed', String(run.seed)],
    ['Faults apply to', describeUpstreams(run.upstreams)],
    ['Connections', `${formatCount(t.connectionsAccepted)} accepted, ${formatCount(t.connectionsCutAtStop)} cut at stop`],
    ['Passthrough', `${formatCount(t.passthrough)} exchanges`],
    ['Bytes', `${formatBytes(t.bytesToUpstream)} to upstreams, ${formatBytes(t.bytesToClient)} to clients`],
  ];
  const listeners = run.listeners.map((l) => `<li>${escapeHtml(describeListener(l))}</li>`).join('');
  return `<section id="run">
<h2>Run</h2>
<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}
<dt>Listeners</dt><dd><ul>${listeners || '<li>none</li>'}</ul></dd></dl>
</section>`;
}

function shardsSection(doc: RunReportDocument): string {
  const table =
    doc.shards.length === 0
      ? '<p>No traffic.</p>'
      : htmlTable(
          'Totals per shard',
          [
            { header: 'Shard' },
            { header: 'Exchanges', numeric: true },
            { header: 'Faulted', numeric: true },
            { header: 'Passthrough', numeric: true },
            { header: 'Errors', numeric: true },
            { header: 'Connections', numeric: true },
            { header: 'To upstreams', numeric: true },
            { header: 'To clients', numeric: true },
            { header: 'Faults applied' },
          ],
          doc.shards.map((s) => [
            `#${s.shard}`,
            formatCount(s.exchanges),
            formatCount(s.faulted),
            formatCount(s.passthrough),
            formatCount(s.errors),
            formatCount(s.connectionsAccepted),
            formatBytes(s.bytesToUpstream),
            formatBytes(s.bytesToClient),
            Object.entries(s.faultsApplied).map(([kind, count]) => `${kind} ×${formatCount(count)}`).join(', ') || '–',
          ]),
        );
  return `<section id="shards">
<h2>Shards</h2>
${table}
</section>`;
}

function timeSeriesSection(doc: RunReportDocument): string {
  const series = displaySeries(doc);
  const points = foldSeries(series.points, MAX_TIME_ROWS);
  const merged = pointsPerRow(series.points.length, MAX_TIME_ROWS);
  const table = htmlTable(
    merged > 1 ? `Over time, ${merged} intervals per row (p50 and p99: the highest of them)` : 'Over time',
    [
      { header: 'Interval' },
      { header: 'Exchanges', numeric: true },
      { header: 'Per second', numeric: true },
      { header: 'Faulted', numeric: true },
      { header: 'Errors', numeric: true },
      { header: 'p50', numeric: true },
      { header: 'p99', numeric: true },
      { header: 'Open connections', numeric: true },
    ],
    points.map((p) => [
      `${formatDuration(p.startMs)} – ${formatDuration(p.endMs)}`,
      formatCount(p.exchanges),
      formatRate(perSecond(p.exchanges, p)),
      formatCount(p.faulted),
      formatCount(p.errors),
      formatLatency(p.p50Ms),
      formatLatency(p.p99Ms),
      p.openConnections === null ? '–' : formatCount(p.openConnections),
    ]),
  );
  return `<section id="samples">
<h2>Samples</h2>
<details><summary>${formatCount(points.length)} rows: the data behind the time plots</summary>
<p class="note">${escapeHtml(seriesSourceNote(series))} The engine’s own samples are in the JSON report (<code>timeSeries</code>).</p>
${table}
</details>
</section>`;
}
