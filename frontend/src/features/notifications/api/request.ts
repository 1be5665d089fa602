/**
 * JSON calls to the notification routes, with the session's bearer token and the API's error
 * answers read by ApiError, as api/client.ts does for the paths already in the schema.
 */
import { ApiError } from '../../../api/errors';
import { clearToken, getToken, tokenExpired } from '../../../api/token';

export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers = new Headers({ Accept: 'application/json' });
  const token = getToken();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  const response = await globalThis.fetch(
    new Request(new URL(path, window.location.origin), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  if (response.status === 401 && !tokenExpired()) clearToken();
  const text = response.status === 204 ? '' : await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed as T;
}

export const channelPath = (id: number) => `/notification-channels/${encodeURIComponent(String(id))}`;
