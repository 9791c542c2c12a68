// A bad flag, env var or argument value: reported as one line on stderr with exit status 2.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }

  /** `--latency-mean: Value must be a non-negative number.` */
  static about(origin: string, message: string): UsageError {
    return new UsageError(`${origin}: ${message}`);
  }
}
