// Writes the report of a run to --report PATH, in the format its extension names.
import { writeFileAtomically } from './atomic-write';
import { buildReportDocument } from './build-report';
import { renderHtmlReport } from './html-report';
import { renderMarkdownReport } from './markdown-report';
import type { RunReportDocument } from './report-document';
import type { RunReportInput } from './run-report';

export type ReportFormat = 'json' | 'markdown' | 'html';

/** The CLI already refused other extensions; this is the same rule, for the writer. */
export function reportFormatOf(path: string): ReportFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return 'markdown';
  if (lower.endsWith('.html') || lower.endsWith('.htm')) return 'html';
  throw new Error(`unknown report format for ${path} (use .json, .md or .html)`);
}

export function renderReport(document: RunReportDocument, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(document, null, 2)}\n`;
    case 'markdown':
      return renderMarkdownReport(document);
    case 'html':
      return renderHtmlReport(document);
  }
}

export async function writeReport(path: string, input: RunReportInput): Promise<void> {
  const format = reportFormatOf(path);
  await writeFileAtomically(path, renderReport(buildReportDocument(input), format));
}
