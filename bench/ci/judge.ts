// Pass/fail of the CI gate: every check is a ratio (or a difference) measured in the same run
// against a baseline measured side by side, compared with a floor or ceiling from
// bench/floors.json. Absolute numbers are never judged.
export interface FloorSpec {
  /** Human-readable meaning, printed with the result. */
  what: string;
  /** 'min': the measured value must stay above floor * (1 - tolerance); 'max': below ceiling * (1 + tolerance) or ceiling + slack. */
  kind: 'min' | 'max';
  /** The recorded floor (kind min) or ceiling (kind max). */
  value: number;
  /** Relative tolerance (0.25 = 25 % worse than the recorded value still passes). */
  tolerance?: number;
  /** Absolute slack added to a ceiling (for differences in ms, where a relative margin means little near 0). */
  slack?: number;
}

export interface FloorsFile {
  description?: string;
  checks: Record<string, FloorSpec>;
}

export interface CheckResult {
  id: string;
  what: string;
  measured: number;
  limit: number;
  recorded: number;
  kind: 'min' | 'max';
  passed: boolean;
  /** Why it passed or failed, in one line. */
  reason: string;
}

/** The limit a measured value is judged against: the recorded value widened by the tolerance. */
export function limitOf(spec: FloorSpec): number {
  const tolerance = spec.tolerance ?? 0;
  return spec.kind === 'min' ? spec.value * (1 - tolerance) : spec.value * (1 + tolerance) + (spec.slack ?? 0);
}

export function judge(id: string, spec: FloorSpec, measured: number): CheckResult {
  const limit = limitOf(spec);
  const base = { id, what: spec.what, measured, limit, recorded: spec.value, kind: spec.kind };
  if (!Number.isFinite(measured)) {
    return { ...base, passed: false, reason: 'not measured (NaN): the comparison did not run or had no requests' };
  }
  const passed = spec.kind === 'min' ? measured >= limit : measured <= limit;
  const relation = spec.kind === 'min' ? (passed ? '>=' : '<') : passed ? '<=' : '>';
  const recorded = spec.kind === 'min' ? `floor ${fmt(spec.value)}` : `ceiling ${fmt(spec.value)}`;
  return {
    ...base,
    passed,
    reason: `${fmt(measured)} ${relation} limit ${fmt(limit)} (${recorded}${describeMargin(spec)})`,
  };
}

function describeMargin(spec: FloorSpec): string {
  const parts: string[] = [];
  if (spec.tolerance) parts.push(`${spec.kind === 'min' ? '-' : '+'}${Math.round(spec.tolerance * 100)} %`);
  if (spec.slack) parts.push(`+${spec.slack}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(1) : value.toFixed(3);
}

/** Parses and validates floors.json; throws with a clear message on anything malformed. */
export function parseFloors(text: string): FloorsFile {
  const parsed = JSON.parse(text) as FloorsFile;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.checks !== 'object' || parsed.checks === null) {
    throw new Error('floors file: expected an object with "checks"');
  }
  for (const [id, spec] of Object.entries(parsed.checks)) {
    if ((spec.kind !== 'min' && spec.kind !== 'max') || !Number.isFinite(spec.value)) {
      throw new Error(`floors file: check ${id} needs kind "min"|"max" and a numeric value`);
    }
    if (spec.tolerance !== undefined && !(spec.tolerance >= 0 && spec.tolerance < 1)) {
      throw new Error(`floors file: check ${id}: tolerance must be in [0, 1)`);
    }
  }
  return parsed;
}
