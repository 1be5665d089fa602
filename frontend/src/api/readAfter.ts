/**
 * Read-your-writes with a read replica: every answer to a write carries the database position
 * it committed at (`X-Read-After`); the console sends the furthest one it has seen with each
 * request, so the server reads from a replica only once it has caught up. Without a replica
 * the server sends none and this does nothing. (The server's cookie does the same for
 * browsers; the header also covers clients that keep no cookies.)
 */
import type { Middleware } from 'openapi-fetch';

export const READ_AFTER = 'X-Read-After';
const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

let furthest: string | null = null;

function parts(lsn: string): [number, number] | null {
  const found = LSN.exec(lsn.trim());
  return found ? [parseInt(found[1], 16), parseInt(found[2], 16)] : null;
}

/** Whether position `a` is past position `b` (PostgreSQL WAL positions, `hi/lo` in hex). */
export function isAfter(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  if (!x) return false;
  if (!y) return true;
  return x[0] !== y[0] ? x[0] > y[0] : x[1] > y[1];
}

/** Remember a position from an answer, if it is further than the one held. */
export function sawPosition(lsn: string | null): void {
  if (lsn && parts(lsn) && (furthest === null || isAfter(lsn, furthest))) furthest = lsn.trim();
}

export function readPosition(): string | null {
  return furthest;
}

export function forgetPosition(): void {
  furthest = null;
}

export const readAfterMiddleware: Middleware = {
  onRequest({ request }) {
    if (furthest) request.headers.set(READ_AFTER, furthest);
    return request;
  },
  onResponse({ response }) {
    sawPosition(response.headers.get(READ_AFTER));
    return response;
  },
};
