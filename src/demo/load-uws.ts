import type * as UWS from '@trufflesuite/uws-js-unofficial';

export type UwsModule = typeof UWS;

/** Either the loaded native binding or why it is unavailable. */
export type UwsLoadResult = { module: UwsModule; failure?: undefined } | { module?: undefined; failure: string };

let cached: UwsLoadResult | undefined;

/**
 * Loads the native uWebSockets.js binding once, lazily (node:http users never load it).
 * The package silently substitutes a slow JavaScript stand-in when its binary does not fit
 * this platform; we treat that as "not available", since node:http serves the demo better.
 */
export function loadNativeUws(): UwsLoadResult {
  if (cached) return cached;
  try {
    const loaded = require('@trufflesuite/uws-js-unofficial') as UwsModule;
    // Only the native binding exports the multipart parser; the stand-in does not.
    const isNative = typeof (loaded as { getParts?: unknown }).getParts === 'function';
    cached = isNative ? { module: loaded } : { failure: 'only its JavaScript stand-in loaded, not the native binary' };
  } catch (error) {
    cached = { failure: error instanceof Error ? error.message : String(error) };
  }
  return cached;
}
