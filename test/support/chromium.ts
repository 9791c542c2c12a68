// Headless Chromium (Debian's `chromium` package) for tests that must see a page rendered.
// Each call gets its own throwaway profile; nothing is fetched from the network.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumMissingReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

async function headless(args: string[]): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'fault-chromium-'));
  try {
    const { stdout } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

export async function screenshot(page: string, png: string, width: number, height: number): Promise<void> {
  await headless([`--screenshot=${png}`, `--window-size=${width},${height}`, pathToFileURL(page).href]);
}

/** The page's DOM after layout, serialised. */
export function dumpDom(page: string): Promise<string> {
  return headless(['--dump-dom', pathToFileURL(page).href]);
}
