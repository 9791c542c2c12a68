// Escaping for the two text formats reports are written in. Targets, error messages and
// fault bodies come from the network, so every one of them goes through here.

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in HTML and SVG text and in double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/** One Markdown table cell: no line breaks, no column separators, no stray inline HTML. */
export function escapeMarkdownCell(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/([\\|`*_[\]<>])/g, '\\$1');
}

/** A Markdown table; `align` per column: 'l' or 'r'. */
export function markdownTable(headers: string[], rows: string[][], align: string = ''): string {
  const rule = headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(rule), ...rows.map(line)].join('\n');
}
