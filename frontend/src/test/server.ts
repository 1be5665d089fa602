/**
 * The API as component tests see it: MSW intercepts fetch in Node, and openapi-msw types each
 * handler (path, params, request body, status code and response body) from src/api/schema.d.ts,
 * so a mock that drifts from the backend's OpenAPI schema fails `npm run typecheck`.
 */
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createOpenApiHttp } from 'openapi-msw';
import type { paths } from '../api/schema';

/** Typed handlers: `http.get('/incidents/{incident_id}', ({ params, response }) => response(200).json(...))`. */
export const http = createOpenApiHttp<paths>();

/** What the backend answers for a path no test set up (the old fake server did the same). */
const notFound = http.untyped.all('*', () => HttpResponse.json({ detail: 'Not Found', code: 'not_found' }, { status: 404 }));

export const server = setupServer(notFound);
