import { loadNativeUws } from './load-uws';
import { NodeHttpAdapter } from './node-adapter';
import type { ServerAdapter, ServerFlavour } from './server-adapter';
import { UwsAdapter } from './uws-adapter';

/**
 * uWS unless node:http was asked for or the native uWS binary cannot load here;
 * `fallbackNote` explains a silent downgrade so the CLI can mention it.
 */
export function selectServerAdapter(preferred: ServerFlavour): { adapter: ServerAdapter; fallbackNote?: string } {
  if (preferred === 'node') return { adapter: new NodeHttpAdapter() };
  const uws = loadNativeUws();
  if (uws.module) return { adapter: new UwsAdapter(uws.module) };
  return { adapter: new NodeHttpAdapter(), fallbackNote: `uWebSockets.js unavailable (${uws.failure}); serving with node:http` };
}
