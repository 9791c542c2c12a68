// Accessible HTML tables for the report: a caption, column headers with scope, numbers right
// aligned. Cells are text (escaped here) unless explicitly given as markup.
import { escapeHtml } from './markup';

export type Cell = string | { html: string };

export interface Column {
  header: string;
  numeric?: boolean;
  /** Long unbreakable values (URLs) may wrap anywhere. */
  wrap?: boolean;
}

export function htmlTable(caption: string, columns: Column[], rows: Cell[][], options: { hideCaption?: boolean } = {}): string {
  const captionClass = options.hideCaption ? ' class="visually-hidden"' : '';
  const head = columns
    .map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`)
    .join('');
  const body = rows
    .map((row) => {
      const cells = row.map((value, i) => {
        const column = columns[i];
        const classes = [column?.numeric ? 'num' : '', column?.wrap ? 'wrap' : ''].filter(Boolean).join(' ');
        const content = typeof value === 'string' ? escapeHtml(value) : value.html;
        // The first column names the row.
        const tag = i === 0 ? 'th scope="row"' : 'td';
        const close = i === 0 ? 'th' : 'td';
        return `<${tag}${classes ? ` class="${classes}"` : ''}>${content}</${close}>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return (
    `<div class="table-wrap"><table>` +
    `<caption${captionClass}>${escapeHtml(caption)}</caption>` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`
  );
}
