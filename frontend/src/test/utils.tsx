/** Test helpers: the mocked API (MSW, typed from the OpenAPI schema) and a render with every provider. */
import { render } from '@testing-library/react';
import type { RequestHandler } from 'msw';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { makeQueryClient, Providers } from '../app/providers';
import type { components } from '../api/schema';
import { http, server } from './server';

export { http, server } from './server';

type S = components['schemas'];

/** One request the console made, as the server received it. */
export interface Call {
  method: string;
  path: string;
  search: string;
  body: unknown;
  headers: Headers;
}

/** Records every request (body included) before any handler answers it, then falls through. */
function recorder(calls: Call[]) {
  return http.untyped.all('*', async ({ request }) => {
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    calls.push({
      method: request.method,
      path: url.pathname,
      search: url.search,
      body: text ? JSON.parse(text) : undefined,
      headers: request.headers,
    });
    return undefined;
  });
}

export const users: Record<'jordan' | 'avery' | 'morgan', S['UserRead']> = {
  jordan: { id: 1, name: 'Jordan Lee', username: 'jordan', role: 'admin', is_active: true },
  avery: { id: 2, name: 'Avery Patel', username: 'avery', role: 'responder', is_active: true },
  morgan: { id: 3, name: 'Morgan Diaz', username: 'morgan', role: 'viewer', is_active: true },
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
  escalation_policy: [],
  close_requires_action_items: [],
};

export function makeIncident(overrides: Partial<S['IncidentDetail']> = {}): S['IncidentDetail'] {
  const now = Date.now();
  return {
    id: 7,
    title: 'Checkout p99 latency above 3s',
    description: 'Customers report slow checkout.',
    impact: '',
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
      calendar_id: null,
      paused_at: null,
      paused_reason: null,
      paused_seconds: 0,
    },
    events: [],
    rca: null,
    runbook_steps: [],
    ...overrides,
  };
}

export function makeAlert(overrides: Partial<S['AlertRead']> = {}): S['AlertRead'] {
  return {
    id: 1,
    source: 'alertmanager',
    fingerprint: 'abc',
    status: 'firing',
    severity: 'SEV2',
    summary: 'HighLatency on checkout',
    description: '',
    labels: {},
    source_url: null,
    group_key: null,
    service_id: 1,
    incident_id: 7,
    first_seen_at: new Date(Date.now() - 600_000).toISOString(),
    last_seen_at: new Date(Date.now() - 60_000).toISOString(),
    resolved_at: null,
    count: 3,
    ...overrides,
  };
}

export function makeEvent(overrides: Partial<S['EventRead']> = {}): S['EventRead'] {
  return {
    id: 1,
    incident_id: 7,
    type: 'comment',
    body: '',
    data: {},
    created_by: 2,
    created_by_name: 'Avery Patel',
    created_by_token_id: null,
    created_by_token_name: null,
    created_at: new Date().toISOString(),
    starred: false,
    starred_by: null,
    starred_by_name: null,
    starred_at: null,
    ...overrides,
  };
}

/**
 * Renders `element` at `path` (matching `pattern`), signed in as `as` unless null. `handlers`
 * (typed with `http` from ./server) come before the defaults: who is signed in, the user
 * directory and the services. Returns the recorded `calls` with the usual render result.
 */
export function renderApp(
  element: ReactElement,
  { path = '/', pattern = '*', as = 'jordan' as keyof typeof users | null, handlers = [] as RequestHandler[] } = {},
) {
  if (as) window.localStorage.setItem('incident-console.token', `token-${as}`);
  const calls: Call[] = [];
  server.use(
    recorder(calls),
    ...handlers,
    http.get('/auth/me', ({ response }) =>
      as ? response(200).json(users[as]) : response(401).json({ detail: 'Not authenticated', code: 'unauthenticated' }),
    ),
    http.get('/users', ({ response }) => response(200).json(Object.values(users))),
    http.get('/services', ({ response }) => response(200).json([service])),
    http.get('/incidents/{incident_id}/action-items', ({ response }) => response(200).json([])),
    // The detail page's "Similar past incidents" card, empty unless a test says otherwise.
    http.get('/incidents/{incident_id}/similar', ({ response }) => response(200).json({ items: [] })),
  );
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
  return { ...utils, calls, router, client };
}
