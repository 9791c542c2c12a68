import type { DemoResponse } from './server-adapter';

// Builders for the few response shapes the demo sends, so every route labels its bodies the same way.

export function htmlResponse(status: number, html: string | Buffer): DemoResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
}

export function textResponse(status: number, text: string, extraHeaders: Record<string, string> = {}): DemoResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extraHeaders }, body: text };
}

export function jsonResponse(status: number, value: unknown, extraHeaders: Record<string, string> = {}): DemoResponse {
  return { status, headers: { 'content-type': 'application/json', ...extraHeaders }, body: JSON.stringify(value) };
}

/** Every client error and upstream failure is answered as `{"error": "..."}`. */
export function jsonError(status: number, message: string, extraHeaders: Record<string, string> = {}): DemoResponse {
  return jsonResponse(status, { error: message }, extraHeaders);
}
