import { afterEach, describe, expect, it } from 'vitest';
import { forgetPosition, isAfter, readAfterMiddleware, readPosition, sawPosition } from './readAfter';

afterEach(() => forgetPosition());

describe('read-after positions', () => {
  it('orders WAL positions by their high then low half', () => {
    expect(isAfter('1/0', '0/FFFFFFFF')).toBe(true);
    expect(isAfter('0/A', '0/9')).toBe(true);
    expect(isAfter('0/9', '0/A')).toBe(false);
    expect(isAfter('nonsense', '0/1')).toBe(false);
  });

  it('keeps the furthest position seen and sends it on later requests', async () => {
    sawPosition('0/20');
    sawPosition('0/10'); // an answer that arrived late does not move it back
    sawPosition('garbage');
    expect(readPosition()).toBe('0/20');
    const request = new Request('http://test/incidents');
    const onRequest = readAfterMiddleware.onRequest as (o: { request: Request }) => Request;
    expect(onRequest({ request }).headers.get('X-Read-After')).toBe('0/20');
  });

  it('learns the position from an answer', () => {
    const onResponse = readAfterMiddleware.onResponse as (o: { response: Response }) => Response;
    onResponse({ response: new Response(null, { headers: { 'X-Read-After': '2/A0' } }) });
    expect(readPosition()).toBe('2/A0');
  });
});
