// Labelled rows whose items wrap under the label instead of running off the screen.
import { fitWidth, padVisible, visibleWidth } from './ansi';

export interface RowOptions {
  /** Columns taken by the label (with its left margin); items start one column after. */
  labelWidth: number;
  width: number;
  /** At most this many lines; the last one then says how many items did not fit. */
  maxLines?: number;
  separator?: string;
}

/**
 * `label  item · item · item` — items that do not fit go on the next line, aligned under the
 * first item. No line is wider than `width`.
 */
export function flowRow(label: string, items: readonly string[], options: RowOptions): string[] {
  const separator = options.separator ?? ' · ';
  const indent = ' '.repeat(options.labelWidth + 1);
  const lines: Array<{ text: string; items: number }> = [{ text: `${padVisible(label, options.labelWidth)} `, items: 0 }];
  for (const item of items) {
    const current = lines[lines.length - 1];
    const candidate = current.items ? `${current.text}${separator}${item}` : `${current.text}${item}`;
    if (current.items && visibleWidth(candidate) > options.width) {
      lines.push({ text: `${indent}${item}`, items: 1 });
    } else {
      current.text = candidate;
      current.items++;
    }
  }
  const maxLines = options.maxLines ?? Infinity;
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    const shown = kept.reduce((n, l) => n + l.items, 0);
    const more = ` … +${items.length - shown} more`;
    const last = kept[kept.length - 1];
    last.text = fitWidth(last.text, Math.max(0, options.width - more.length)) + more;
    return kept.map((l) => fitWidth(l.text, options.width));
  }
  return lines.map((l) => fitWidth(l.text, options.width));
}
