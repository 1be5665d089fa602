/** The typed HTTP client: openapi-fetch over the generated schema, with the bearer token attached. */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError } from './errors';
import { clearToken, getToken, tokenExpired } from './token';
import { READ_AFTER, readAfterMiddleware, readPosition, sawPosition } from './readAfter';

const authMiddleware: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    // A token past its own expiry keeps the page: the session dialog asks to sign in again.
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/auth/login') && !tokenExpired()) {
      clearToken();
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window !== 'undefined' ? window.location.origin : '',
  querySerializer: { array: { style: 'form', explode: true } },
  // Looked up on each call so tests (and polyfills) can replace the global fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(authMiddleware, readAfterMiddleware);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the body of a successful response, or throws an ApiError reading the error body (code, facts, detail). */
export async function unwrap<T>(pending: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw new ApiError(response.status, error);
  return data as T;
}

/** Fetches a non-JSON resource (the Markdown report) with the same auth header. */
export async function fetchAuthed(path: string): Promise<Response> {
  const headers = new Headers();
  const token = getToken();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const position = readPosition();
  if (position) headers.set(READ_AFTER, position);
  const response = await globalThis.fetch(new URL(path, window.location.origin), { headers });
  sawPosition(response.headers.get(READ_AFTER));
  if (response.status === 401 && !tokenExpired()) clearToken();
  if (!response.ok) {
    let body: unknown = undefined;
    try {
      body = await response.json();
    } catch {
      /* body was not JSON */
    }
    throw new ApiError(response.status, body);
  }
  return response;
}
