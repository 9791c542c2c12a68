// `run` flags of the http-response fault (spec §2.4.4) and their translation into an
// HttpResponseFaultSpec. The env vars keep the original's FAULT_HTTP_FAULT_* names.

import type { HttpResponseFaultSpec } from '../../config/types';
import { InvalidValueError, parseProbability } from '../../config/validate';
import type { OptionReader, OptionSpec } from '../options';
import { UsageError } from '../usage-error';
import type { FaultFlagGroup } from './fault-flag-group';

const enable: OptionSpec = {
  flags: '--with-http-response',
  description: 'enable the http-response fault: the proxy answers HTTP requests itself, without the upstream',
  env: 'FAULT_WITH_HTTP_FAULT',
};
const status: OptionSpec = {
  flags: '--http-response-status <code>',
  description: 'status of the injected answer: 200 to 599',
  env: 'FAULT_HTTP_FAULT_STATUS',
  defaultValue: '500',
};
const body: OptionSpec = {
  flags: '--http-response-body <text>',
  description: 'body of the injected answer (default: empty)',
  env: 'FAULT_HTTP_FAULT_BODY',
};
const probability: OptionSpec = {
  flags: '--http-response-trigger-probability <p>',
  description: 'chance, per HTTP request, that the proxy answers instead of the upstream: 0.0 to 1.0',
  env: 'FAULT_HTTP_FAULT_PROBABILITY',
  defaultValue: '1.0',
};
const schedule: OptionSpec = {
  flags: '--http-response-sched <schedule>',
  description: "when the fault is active, e.g. 'start:10s,duration:30s;start:2m' or 'start:10%'",
  env: 'FAULT_HTTP_FAULT_SCHED',
};

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1). */
const BODILESS_STATUSES: ReadonlySet<number> = new Set([204, 304]);

export const httpResponseFlags: FaultFlagGroup = {
  id: 'http-response',
  enable,
  schedule,
  parameters: [status, body, probability],
  toFaultSpec: toHttpResponseFaultSpec,
};

/**
 * An answer's status: 200 to 599 (the original allowed 100 to 599); 1xx is refused because
 * a 1xx is an interim response (101 switches protocols): it cannot be the final answer.
 */
function parseAnswerStatus(text: string): number {
  const trimmed = text.trim();
  const value = /^\+?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(value >= 100 && value <= 599)) throw new InvalidValueError('HTTP status code must be between 200 and 599');
  if (value < 200) {
    throw new InvalidValueError(`${value} is an interim (1xx) status and cannot be the final answer; use 200 to 599.`);
  }
  return value;
}

function toHttpResponseFaultSpec(reader: OptionReader): HttpResponseFaultSpec {
  const code = reader.valueOrDefault(status, parseAnswerStatus);
  const text = reader.raw(body);
  if (text !== undefined && text.text !== '' && BODILESS_STATUSES.has(code)) {
    throw UsageError.about(text.origin, `a ${code} response cannot have a body.`);
  }
  return {
    kind: 'http-response',
    status: code,
    body: text?.text,
    probability: reader.valueOrDefault(probability, parseProbability),
  };
}
