// A writer for the Prometheus text exposition format, version 0.0.4: one HELP and one TYPE
// line per metric family, then its samples, with the format's escaping rules.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type FamilyType = 'counter' | 'gauge' | 'histogram';
export type Labels = Record<string, string>;

/** HELP text escapes backslash and newline. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values also escape the double quote. */
function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

export class ExpositionWriter {
  private readonly lines: string[] = [];

  family(name: string, type: FamilyType, help: string): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, labels: Labels, value: number): void {
    this.lines.push(`${name}${formatLabels(labels)} ${formatSampleValue(value)}`);
  }

  /** A histogram's samples: cumulative `_bucket`s ending with +Inf, then `_sum` and `_count`. */
  histogram(name: string, labels: Labels, bounds: readonly number[], cumulative: readonly number[], sum: number, count: number): void {
    bounds.forEach((bound, i) => this.sample(`${name}_bucket`, { ...labels, le: formatSampleValue(bound) }, cumulative[i]));
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, count);
    this.sample(`${name}_sum`, labels, sum);
    this.sample(`${name}_count`, labels, count);
  }

  /** The document; the format wants a newline after the last line. */
  text(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}
