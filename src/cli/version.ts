// The version printed by `fault --version`, read from package.json at run time so it can
// never drift from the published package.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Walks up from this file (src/cli or dist/src/cli) to the package's package.json. */
export function packageVersion(): string {
  let directory = __dirname;
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const { version } = JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown };
      if (typeof version === 'string') return version;
    }
    const up = dirname(directory);
    if (up === directory) return 'unknown';
    directory = up;
  }
}
