// Aligned plain-text columns: the first column(s) left-aligned (names), the rest right-aligned (numbers).

export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftAlignedColumns = 1): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column < leftAlignedColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
