/** Test helpers: a fake server answering fetch by method and path, and a render with every provider. */
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { makeQueryClient, Providers } from '../app/providers';
import type { components } from '../api/schema';

type S = components['schemas'];

export interface Call {
  method: string;
  path: string;
  search: string;
  body: unknown;
  headers: Headers;
}

type Handler = (call: Call) => { status?: number; body?: unknown; headers?: Record<string, string> } | Promise<{ status?: number; body?: unknown; headers?: Record<string, string> }>;

/** A route answering with a given status (plain values in a route table are 200 bodies). */
export const reply =
  (status: number, body?: unknown, headers?: Record<string, string>): Handler =>
  () => ({ status, body, headers });

/** Replaces global fetch; routes are "GET /incidents/1" style keys. Returns the recorded calls. */
export function fakeServer(routes: Record<string, Handler | unknown>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    const call: Call = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      body: text ? JSON.parse(text) : undefined,
      headers: request.headers,
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    if (route === undefined) return new Response(JSON.stringify({ detail: 'Not Found' }), { status: 404 });
    const answer = typeof route === 'function' ? await (route as Handler)(call) : { body: route };
    const status = answer.status ?? 200;
    const isText = typeof answer.body === 'string';
    return new Response(isText ? (answer.body as string) : JSON.stringify(answer.body ?? null), {
      status,
      headers: { 'Content-Type': isText ? 'text/markdown' : 'application/json', ...(answer.headers ?? {}) },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export const users: Record<'jordan' | 'avery' | 'morgan', S['UserRead']> = {
  jordan: { id: 1, name: 'Jordan Lee', username: 'jordan', role: 'admin' },
  avery: { id: 2, name: 'Avery Patel', username: 'avery', role: 'responder' },
  morgan: { id: 3, name: 'Morgan Diaz', username: 'morgan', role: 'viewer' },
};

export const service: S['ServiceRead'] = {
  id: 1,
  name: 'checkout-api',
  owner_team: 'Payments',
  sla_policy: {
    SEV1: { ack_minutes: 5, resolve_minutes: 30 },
    SEV2: { ack_minutes: 10, resolve_minutes: 120 },
    SEV3: { ack_minutes: 60, resolve_minutes: 1440 },
    SEV4: { ack_minutes: 240, resolve_minutes: 4320 },
  },
};

export function makeIncident(overrides: Partial<S['IncidentDetail']> = {}): S['IncidentDetail'] {
  const now = Date.now();
  return {
    id: 7,
    title: 'Checkout p99 latency above 3s',
    description: 'Customers report slow checkout.',
    severity: 'SEV2',
    status: 'New',
    service_id: 1,
    service_name: 'checkout-api',
    assignee_id: 2,
    assignee_name: 'Avery Patel',
    created_at: new Date(now - 60_000).toISOString(),
    acknowledged_at: null,
    mitigated_at: null,
    resolved_at: null,
    closed_at: null,
    version: 1,
    allowed_transitions: ['Investigating'],
    close_blockers: ['root_cause', 'contributing_factors', 'corrective_actions', 'prevention_actions'],
    sla: {
      ack_due_at: new Date(now + 80 * 60_000).toISOString(),
      resolve_due_at: new Date(now + 120 * 60_000).toISOString(),
      ack_breached: false,
      resolve_breached: false,
      breached: false,
      state: 'on_track',
      next_due_at: new Date(now + 80 * 60_000).toISOString(),
    },
    events: [],
    rca: null,
    ...overrides,
  };
}

/** Renders `element` at `path` (matching `pattern`), signed in as `as` unless null. */
export function renderApp(
  element: ReactElement,
  { path = '/', pattern = '*', as = 'jordan' as keyof typeof users | null, routes = {} as Record<string, Handler | unknown> } = {},
) {
  if (as) window.localStorage.setItem('incident-console.token', `token-${as}`);
  const server = fakeServer({
    'GET /auth/me': as ? users[as] : reply(401, { detail: 'Not authenticated' }),
    'GET /users': Object.values(users),
    'GET /services': [service],
    ...routes,
  });
  const router = createMemoryRouter(
    [
      { path: pattern, element },
      ...(pattern === '/login' ? [] : [{ path: '/login', element: <p>login screen</p> }]),
      ...(pattern === '*' || pattern === '/' ? [] : [{ path: '*', element: <p>home screen</p> }]),
    ],
    { initialEntries: [path] },
  );
  const client = makeQueryClient();
  const utils = render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return { ...utils, ...server, router, client };
}
