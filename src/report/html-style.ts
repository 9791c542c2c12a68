// The stylesheet of the HTML report, inlined so the file works offline. System fonts only;
// light and dark colour schemes; charts scale with the page and print on white.

export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #ffffff; --text: #1d232b; --muted: #56606c; --line: #d9dee4;
  --grid: #e7eaee; --accent: #1a5fa8; --bad: #b33c00; --stripe: #f9fafb;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171b; --panel: #1c2127; --text: #e6e9ed; --muted: #a3adb8; --line: #343b44;
    --grid: #2a3038; --accent: #56B4E9; --bad: #ff8a50; --stripe: #20262d;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
header, main, footer { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h1 span { color: var(--accent); }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 8px; }
.subtitle { color: var(--muted); margin: 0; }
nav { margin: 14px 0 0; font-size: 14px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
nav a:hover, nav a:focus { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; margin: 22px 0 0; padding: 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card dt { color: var(--muted); font-size: 13px; }
.card dd { margin: 2px 0 0; font-size: 24px; white-space: nowrap; font-weight: 650; font-variant-numeric: tabular-nums; }
.card dd.detail { white-space: normal; font-size: 13px; font-weight: 400; color: var(--muted); }
.card.bad dd:not(.detail) { color: var(--bad); }
figure { margin: 14px 0 22px; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 12px 8px; }
figure h3 { margin: 0 0 4px 8px; }
figcaption { color: var(--muted); font-size: 13px; margin: 4px 8px 4px; }
svg.chart { display: block; width: 100%; height: auto; font-size: 12px; }
svg.chart text { fill: var(--muted); }
svg.chart .axis line { stroke: var(--muted); stroke-width: 1; }
svg.chart .axis-title { fill: var(--text); font-size: 13px; }
svg.chart .grid line { stroke: var(--grid); stroke-width: 1; }
svg.chart .legend text { fill: var(--text); }
svg.chart .marker-label { fill: var(--text); font-size: 12px; font-weight: 600; paint-order: stroke; stroke: var(--panel); stroke-width: 3px; }
svg.chart .chart-message { fill: var(--muted); font-size: 15px; }
.table-wrap { overflow-x: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; margin: 10px 0 18px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 10px 12px 4px; }
th, td { padding: 6px 12px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 13px; }
tbody tr:nth-child(even) { background: var(--stripe); }
tbody tr:last-child td, tbody tr:last-child th { border-bottom: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.wrap { word-break: break-all; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; padding: 12px 14px;
  background: var(--panel); border: 1px solid var(--line); border-radius: 10px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
dl.facts ul { margin: 0; padding-left: 18px; }
tbody th { font-weight: 500; }
.note { color: var(--muted); font-size: 13px; }
details { margin: 10px 0; }
summary { cursor: pointer; color: var(--accent); }
footer { color: var(--muted); font-size: 13px; padding-top: 24px; padding-bottom: 36px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media print {
  :root { --bg: #fff; --panel: #fff; }
  figure, .table-wrap, .card { break-inside: avoid; }
  nav { display: none; }
}
`;
