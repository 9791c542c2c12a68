// Small value parsers shared by every flag and grammar. Each throws InvalidValueError with a
// one-sentence message; the CLI prefixes it with the flag or env var that supplied the text.
// The sentences for numbers and probabilities are the original tool's, so users and parity
// tests see the same wording.

/** A value that does not satisfy its parser. The message never names the flag (the caller does). */
export class InvalidValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidValueError';
  }
}

// Plain decimal notation only: Number() alone would also accept '', ' ', '0x1f' and 'Infinity'.
const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNSIGNED_INTEGER = /^\+?\d+$/;

export function parseFloatStrict(text: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!DECIMAL_NUMBER.test(trimmed) || !Number.isFinite(value)) {
    throw new InvalidValueError('Invalid floating-point number.');
  }
  return value;
}

export function parsePositiveNumber(text: string): number {
  const value = parseFloatStrict(text);
  if (!(value > 0)) throw new InvalidValueError('Value must be a positive number.');
  return value;
}

export function parseNonNegativeNumber(text: string): number {
  const value = parseFloatStrict(text);
  if (!(value >= 0)) throw new InvalidValueError('Value must be a non-negative number.');
  // Normalise -0 so it never leaks into printed configuration.
  return value === 0 ? 0 : value;
}

export function parseUnsignedInteger(text: string): number {
  const trimmed = text.trim();
  if (!UNSIGNED_INTEGER.test(trimmed)) throw new InvalidValueError('Invalid unsigned integer.');
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) throw new InvalidValueError('Invalid unsigned integer.');
  return value;
}

export function parsePositiveInteger(text: string): number {
  const value = parseUnsignedInteger(text);
  if (value === 0) throw new InvalidValueError('Value must be a positive integer.');
  return value;
}

export function parseIntegerInRange(text: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = UNSIGNED_INTEGER.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidValueError(`Value must be an integer between ${min} and ${max}.`);
  }
  return value;
}

export function parseProbability(text: string): number {
  let value: number;
  try {
    value = parseFloatStrict(text);
  } catch {
    value = Number.NaN;
  }
  if (!(value >= 0 && value <= 1)) {
    throw new InvalidValueError('Probability must be a float between 0.0 and 1.0');
  }
  return value;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** Boolean environment values (the original accepted only true/false; we accept the usual words). */
export function parseBoolean(text: string): boolean {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new InvalidValueError(
    `Invalid boolean '${text}'. Expected one of: true, false, 1, 0, yes, no, on, off.`,
  );
}

/**
 * One of a fixed set of spellings, case-insensitively. `aliases` maps extra spellings
 * (lower-case) onto canonical values, e.g. the docs' `pareto_normal`.
 */
export function parseChoice<T extends string>(
  text: string,
  choices: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T {
  const word = text.trim().toLowerCase();
  const canonical = choices.find((choice) => choice.toLowerCase() === word) ?? aliases[word];
  if (canonical === undefined) {
    throw new InvalidValueError(`Invalid value '${text}'. Expected one of: ${choices.join(', ')}.`);
  }
  return canonical;
}
