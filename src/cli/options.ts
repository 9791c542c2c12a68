// Declaring options and reading their values from the command line, the environment or the
// default, in that order of precedence.
//
// Why not let commander read the environment: its `.env()` reads process.env directly (so
// `buildRunConfig(argv, env)` could not be tested with a given environment) and turns a boolean
// flag on for ANY value, including `false`. We still call `.env()` so help shows the variable,
// but values commander took from the environment or from defaults are ignored here: only
// values typed on the command line are taken from commander.

import { Command, Option } from 'commander';
import { InvalidValueError, parseBoolean } from '../config/validate';
import { UsageError } from './usage-error';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface OptionSpec {
  /** commander flags, e.g. `--latency-mean <ms>` or `-u, --upstream <host>`. */
  flags: string;
  description: string;
  env?: string;
  /** Default as raw text: parsed exactly like user input, and shown in help. */
  defaultValue?: string;
  /** Help text for the default when the raw text is not self-explanatory. */
  defaultDescription?: string;
  /** May be given several times; values are collected in order. */
  repeatable?: boolean;
}

/** A raw value and who supplied it (`--flag`, `ENV_VAR` or `default`), for error messages. */
export interface RawValue {
  text: string;
  origin: string;
}

/** Adds options to a command, under a help heading such as `Latency fault:` when given. */
export function addOptions(command: Command, specs: readonly OptionSpec[], heading?: string): void {
  if (heading !== undefined) command.optionsGroup(heading);
  for (const spec of specs) command.addOption(toCommanderOption(spec));
}

function toCommanderOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.env !== undefined) option.env(spec.env);
  if (spec.defaultValue !== undefined) option.default(spec.defaultValue, spec.defaultDescription);
  if (spec.repeatable) {
    option.argParser((value: string, previous: unknown) =>
      Array.isArray(previous) ? [...(previous as string[]), value] : [value],
    );
  }
  return option;
}

/** Reads option values of one parsed command against a given environment. */
export class OptionReader {
  constructor(
    private readonly command: Command,
    private readonly env: Environment,
  ) {}

  /** The flag's name when the user gave it on the command line (not from env or default). */
  givenOnCommandLine(spec: OptionSpec): string | undefined {
    const option = new Option(spec.flags);
    return this.command.getOptionValueSource(option.attributeName()) === 'cli' ? (option.long ?? spec.flags) : undefined;
  }

  /** The value's text from the command line, else the env var, else the default. */
  raw(spec: OptionSpec): RawValue | undefined {
    const option = new Option(spec.flags);
    const key = option.attributeName();
    if (this.command.getOptionValueSource(key) === 'cli') {
      const value: unknown = this.command.getOptionValue(key);
      const text = Array.isArray(value) ? value.join(',') : String(value);
      return { text, origin: option.long ?? spec.flags };
    }
    const fromEnv = this.envText(spec);
    if (fromEnv !== undefined) return { text: fromEnv, origin: spec.env as string };
    if (spec.defaultValue !== undefined) return { text: spec.defaultValue, origin: option.long ?? spec.flags };
    return undefined;
  }

  /** Parses the value with `parse`; a failure names the flag or env var that supplied it. */
  value<T>(spec: OptionSpec, parse: (text: string) => T): T | undefined {
    const raw = this.raw(spec);
    return raw === undefined ? undefined : parseAs(raw, parse);
  }

  /** Like value(), for an option with a default, which therefore always has a value. */
  valueOrDefault<T>(spec: OptionSpec, parse: (text: string) => T): T {
    const value = this.value(spec, parse);
    if (value === undefined) throw new Error(`option ${spec.flags} is declared without a default`);
    return value;
  }

  /** A boolean flag: present on the command line, or a true-ish env value. */
  flag(spec: OptionSpec): boolean {
    const option = new Option(spec.flags);
    if (this.command.getOptionValueSource(option.attributeName()) === 'cli') return true;
    const fromEnv = this.envText(spec);
    return fromEnv === undefined ? false : parseAs({ text: fromEnv, origin: spec.env as string }, parseBoolean);
  }

  /** All values of a repeatable option; an env var supplies one (usually comma-separated) value. */
  list(spec: OptionSpec): { values: string[]; origin: string } | undefined {
    const option = new Option(spec.flags);
    const key = option.attributeName();
    if (this.command.getOptionValueSource(key) === 'cli') {
      const value: unknown = this.command.getOptionValue(key);
      return { values: Array.isArray(value) ? (value as string[]) : [String(value)], origin: option.long ?? spec.flags };
    }
    const fromEnv = this.envText(spec);
    return fromEnv === undefined ? undefined : { values: [fromEnv], origin: spec.env as string };
  }

  /** An empty variable counts as unset, so `FAULT_X= fault run` behaves like not setting it. */
  private envText(spec: OptionSpec): string | undefined {
    if (spec.env === undefined) return undefined;
    const text = this.env[spec.env];
    return text === undefined || text.trim() === '' ? undefined : text;
  }
}

/** Runs a config parser, turning its InvalidValueError into a UsageError naming the origin. */
export function parseAs<T>(raw: RawValue, parse: (text: string) => T): T {
  try {
    return parse(raw.text);
  } catch (error) {
    if (error instanceof InvalidValueError) throw UsageError.about(raw.origin, error.message);
    throw error;
  }
}
