// Where things live, resolved from the compiled file (dist/bench/load/) so the harness works
// whatever the current directory is.
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** The real `fault` launcher, exactly as users start it. */
export const FAULT_BIN = join(REPO_ROOT, 'bin', 'fault.js');

/** The compiled origin program, started as its own process. */
export const ORIGIN_SERVER_SCRIPT = join(__dirname, 'origin-server.js');

/** The compiled node:http reference forward proxy, started as its own process per measurement. */
export const NODE_HTTP_PROXY_SCRIPT = join(__dirname, 'node-http-proxy.js');

export const DEFAULT_RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
