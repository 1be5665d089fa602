import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpResponse, type RequestHandler } from 'msw';
import type { Runbook } from '../../../api/types';
import { http, makeAlert, makeEvent, makeIncident, renderApp } from '../../../test/utils';
import { IncidentDetailPage } from './IncidentDetailPage';

const runbooks: Runbook[] = [
  {
    id: 3,
    service_id: 1,
    title: 'Checkout latency',
    steps: [
      { index: 1, title: 'Roll back the latest deploy', detail: '', kind: 'action', destructive: false },
      { index: 0, title: 'Check the dashboard', detail: 'p99 and 5xx', kind: 'action', destructive: false },
    ],
  },
];

const alerts = [makeAlert()];

/** Answers for this incident only; another id is not found, as on the server. */
const sameId = (params: { incident_id: string }, incident: { id: number }) => params.incident_id === String(incident.id);

function renderDetail(incident = makeIncident(), as: 'jordan' | 'avery' | 'morgan' = 'avery', handlers: RequestHandler[] = []) {
  return renderApp(<IncidentDetailPage />, {
    path: `/incidents/${incident.id}`,
    pattern: '/incidents/:id',
    as,
    handlers: [
      ...handlers,
      http.get('/incidents/{incident_id}', ({ params, response }) =>
        sameId(params, incident) ? response(200).json(incident) : response(404).json({ detail: 'Not Found', code: 'not_found' }),
      ),
      http.get('/incidents/{incident_id}/alerts', ({ params, response }) =>
        sameId(params, incident) ? response(200).json({ items: alerts, next_cursor: null }) : response(404).json({ detail: 'Not Found', code: 'not_found' }),
      ),
      http.get('/runbooks', ({ response }) => response(200).json(runbooks)),
      http.get('/incidents/{incident_id}/similar', ({ response }) => response(200).json({ items: [] })),
    ],
  });
}

describe('IncidentDetailPage', () => {
  it('names the page after the incident and offers one button per allowed transition', async () => {
    const incident = makeIncident({ status: 'Mitigated', allowed_transitions: ['Resolved', 'Investigating'] });
    renderDetail(incident);
    expect(await screen.findByRole('heading', { level: 1, name: /Checkout p99 latency/ })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toMatch(/^INC-7 · SEV2 · Mitigated/));
    const group = await screen.findByRole('group', { name: 'Move incident' });
    const names = within(group).getAllByRole('button').map((b) => b.textContent);
    expect(names).toEqual(['Resolved', 'Investigating']);
  });

  it('sends the transition with its note and disables the buttons while in flight', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const incident = makeIncident();
    const { calls } = renderDetail(incident, 'avery', [
      http.post('/incidents/{incident_id}/status', async ({ response }) => {
        await gate;
        return response(200).json({ ...incident, status: 'Investigating', allowed_transitions: ['Mitigated'] });
      }),
    ]);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Note for the status change (optional)'), 'paging db team');
    await user.click(screen.getByRole('button', { name: 'Investigating' }));
    expect(screen.getByRole('button', { name: 'Investigating' })).toBeDisabled();
    release();
    expect(await screen.findByText('Moved to Investigating.')).toBeInTheDocument();
    const post = calls.find((c) => c.method === 'POST');
    // The version the screen saw travels as If-Match, never in the body.
    expect(post?.body).toEqual({ status: 'Investigating', note: 'paging db team' });
    expect(post?.headers.get('If-Match')).toBe('1');
    expect(post?.headers.get('Authorization')).toBe('Bearer token-avery');
  });

  it('keeps the incident and its confirmation on screen when a refresh fails, and says so', async () => {
    const incident = makeIncident();
    let down = false;
    renderDetail(incident, 'avery', [
      http.get('/incidents/{incident_id}', ({ response }) =>
        down
          ? response.untyped(HttpResponse.json({ detail: 'The database is unavailable', code: 'unavailable' }, { status: 503 }))
          : response(200).json(incident),
      ),
      http.post('/incidents/{incident_id}/status', ({ response }) => {
        down = true; // the refresh that follows the move fails (and its retries)
        return response(200).json({ ...incident, status: 'Investigating', version: 2, allowed_transitions: ['Mitigated'] });
      }),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Investigating' }));
    const alert = await screen.findByText(/Could not refresh this incident/, {}, { timeout: 8_000 });
    expect(alert.closest('[role="alert"]')).not.toBeNull();
    expect(screen.getByText('Moved to Investigating.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: /Checkout p99 latency/ })).toBeInTheDocument();
    down = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByText(/Could not refresh this incident/)).toBeNull());
  }, 15_000);

  it('refuses a move decided on a stale incident and says why', async () => {
    const incident = makeIncident({ version: 4 });
    const { calls } = renderDetail(incident, 'avery', [
      http.post('/incidents/{incident_id}/status', ({ response }) =>
        response(409).json({
          detail: 'Incident 7 is at version 5, not 4: someone changed it first; reload and try again',
          code: 'stale_version',
          current_version: 5,
        }),
      ),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Investigating' }));
    // The console's sentence, from the code and its facts; the server's prose is not repeated.
    expect(await screen.findByRole('alert')).not.toHaveTextContent('someone changed it first');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ status: 'Investigating' });
    expect(calls.find((c) => c.method === 'POST')?.headers.get('If-Match')).toBe('4');
    // Read from code and current_version, not from the prose.
    expect(screen.getByRole('alert')).toHaveTextContent('Someone else changed this incident since you loaded it (it is now at version 5)');
    const gets = () => calls.filter((c) => c.method === 'GET' && c.path === '/incidents/7').length;
    const before = gets();
    await user.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Reload incident' }));
    await waitFor(() => expect(gets()).toBe(before + 1));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('names where an illegal move may go instead, from the allowed statuses', async () => {
    const incident = makeIncident({ status: 'Mitigated', allowed_transitions: ['Resolved', 'Investigating'] });
    renderDetail(incident, 'avery', [
      http.post('/incidents/{incident_id}/status', ({ response }) =>
        response(409).json({
          detail: 'Illegal transition from Resolved to Resolved',
          code: 'illegal_transition',
          current: 'Resolved',
          target: 'Resolved',
          allowed: ['Closed', 'Investigating'],
        }),
      ),
    ]);
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Resolved' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Cannot move this incident to Resolved: from Resolved it may go to Closed, Investigating.');
    expect(within(alert).getByRole('button', { name: 'Reload incident' })).toBeInTheDocument();
  });

  it('names the missing RCA fields when closing is refused', async () => {
    const incident = makeIncident({
      status: 'Resolved',
      allowed_transitions: ['Closed', 'Investigating'],
      close_blockers: ['contributing_factors', 'prevention_actions'],
    });
    renderDetail(incident, 'jordan', [
      http.post('/incidents/{incident_id}/status', ({ response }) =>
        response(409).json({
          detail: 'Cannot close: RCA missing contributing_factors, prevention_actions',
          code: 'closure_blocked',
          missing: ['contributing_factors', 'prevention_actions'],
        }),
      ),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Closed' }));
    const alert = await screen.findByText(/Cannot close yet/);
    expect(alert).toHaveTextContent('Contributing factors');
    expect(alert).toHaveTextContent('Prevention actions');
    expect(alert).not.toHaveTextContent('Root cause,');
    // Named from `missing`, whatever the prose says; nothing to reload for a blocked close.
    expect(alert).toHaveTextContent('the RCA is missing Contributing factors, Prevention actions.');
    // Never the API's field names.
    expect(alert).not.toHaveTextContent('contributing_factors');
    expect(within(screen.getByRole('alert')).queryByRole('button', { name: 'Reload incident' })).not.toBeInTheDocument();
  });

  it('names the missing sections from `missing` even when the prose names none', async () => {
    const incident = makeIncident({ status: 'Resolved', allowed_transitions: ['Closed', 'Investigating'], close_blockers: [] });
    renderDetail(incident, 'jordan', [
      http.post('/incidents/{incident_id}/status', ({ response }) =>
        response(409).json({ detail: 'Not yet.', code: 'closure_blocked', missing: ['root_cause'] }),
      ),
    ]);
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Closed' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot close yet: the RCA is missing Root cause.');
  });

  it('lists runbook steps in order with an Apply button that logs the step', async () => {
    const { calls } = renderDetail(makeIncident({ status: 'Investigating', allowed_transitions: ['Mitigated'] }), 'avery', [
      http.post('/incidents/{incident_id}/apply-runbook-step', ({ response }) =>
        response(201).json(makeEvent({ type: 'runbook_step', body: 'Roll back the latest deploy' })),
      ),
    ]);
    const apply = await screen.findAllByRole('button', { name: /^Apply step/ });
    expect(apply.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Apply step 1: Check the dashboard',
      'Apply step 2: Roll back the latest deploy',
    ]);
    await userEvent.setup().click(apply[1]);
    expect(await screen.findByText(/Logged “Roll back the latest deploy”/)).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith('apply-runbook-step'))?.body).toEqual({
      runbook_id: 3,
      step_index: 1,
      done: true,
      confirmed: false,
    });
  });

  it('posts a comment from the labelled Comment box and shows the server detail on error', async () => {
    renderDetail(makeIncident(), 'avery', [
      http.post('/incidents/{incident_id}/comments', ({ response }) =>
        response(422).json({
          detail: [{ loc: ['body', 'body'], msg: 'String should have at least 1 character' }],
          code: 'validation_failed',
        }),
      ),
    ]);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Comment'), 'checking');
    await user.click(screen.getByRole('button', { name: 'Add comment' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('body: String should have at least 1 character');
  });

  it('saves the four RCA fields', async () => {
    const { calls } = renderDetail(makeIncident(), 'avery', [
      http.put('/incidents/{incident_id}/rca', async ({ request, response }) =>
        response(200).json({
          ...(await request.json()),
          incident_id: 7,
          updated_at: new Date().toISOString(),
          updated_by: 2,
          missing_fields: [],
        }),
      ),
    ]);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Root cause'), 'bad config');
    await user.type(screen.getByLabelText('Contributing factors'), 'no canary');
    await user.type(screen.getByLabelText('Corrective actions'), 'reverted');
    await user.type(screen.getByLabelText('Prevention actions'), 'add canary');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('RCA saved.')).toBeInTheDocument();
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.body).toEqual({
      root_cause: 'bad config',
      contributing_factors: 'no canary',
      corrective_actions: 'reverted',
      prevention_actions: 'add canary',
    });
    expect(put?.headers.get('If-Match')).toBe('1');
    expect(put?.body).not.toHaveProperty('version');
  });

  it('keeps the RCA draft when the save is stale, and offers to reload', async () => {
    const { calls } = renderDetail(makeIncident({ version: 3 }), 'avery', [
      http.put('/incidents/{incident_id}/rca', ({ response }) =>
        response(409).json({ detail: 'Incident 7 is at version 4, not 3', code: 'stale_version', current_version: 4 }),
      ),
    ]);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Root cause'), 'bad config');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Someone else changed this incident since you loaded it (it is now at version 4)');
    expect(within(alert).getByRole('button', { name: 'Reload incident' })).toBeInTheDocument();
    expect(screen.getByLabelText('Root cause')).toHaveValue('bad config');
    expect(calls.find((c) => c.method === 'PUT')?.headers.get('If-Match')).toBe('3');
  });

  it('saves a triage change with If-Match and only the changed field', async () => {
    const { calls } = renderDetail(makeIncident({ version: 6 }), 'avery', [
      http.patch('/incidents/{incident_id}', ({ response }) => response(200).json(makeIncident({ severity: 'SEV1', version: 7 }))),
    ]);
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText('Change severity'), 'SEV1');
    await user.click(screen.getByRole('button', { name: 'Update triage' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.body).toEqual({ severity: 'SEV1' });
    expect(patch?.headers.get('If-Match')).toBe('6');
  });

  it('shows the attached alerts and whether they still fire', async () => {
    renderDetail();
    const panel = await screen.findByRole('region', { name: 'Alerts' });
    expect(await within(panel).findByText('HighLatency on checkout')).toBeInTheDocument();
    expect(panel).toHaveTextContent('1 of 1 alert still firing.');
    expect(panel).toHaveTextContent('alertmanager · ×3');
  });

  it('edits the title and description, sending only what changed', async () => {
    const { calls } = renderDetail(makeIncident(), 'avery', [
      http.patch('/incidents/{incident_id}', ({ response }) => response(200).json(makeIncident({ title: 'Checkout down in EU' }))),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit summary and impact' }));
    await user.clear(screen.getByLabelText('Title'));
    await user.type(screen.getByLabelText('Title'), 'Checkout down in EU');
    await user.click(screen.getByRole('button', { name: 'Save summary' }));
    await waitFor(() => expect(screen.queryByLabelText('Title')).not.toBeInTheDocument());
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.body).toEqual({ title: 'Checkout down in EU' });
    expect(patch?.headers.get('If-Match')).toBe('1');
  });

  it('shows the customer impact near the summary, and says so when there is none', async () => {
    renderDetail(makeIncident({ impact: 'EU shoppers cannot check out; card payments time out.' }), 'avery');
    const block = await screen.findByRole('region', { name: 'Customer impact' });
    expect(block).toHaveTextContent('EU shoppers cannot check out; card payments time out.');
    // Inside the summary card, right after the description.
    const details = screen.getByRole('region', { name: 'Details' });
    expect(within(details).getByRole('region', { name: 'Customer impact' })).toBe(block);
    expect(block.previousElementSibling).toHaveTextContent('Customers report slow checkout.');
  });

  it('gives a blank impact an empty state', async () => {
    renderDetail(makeIncident({ impact: '  ' }), 'avery');
    const block = await screen.findByRole('region', { name: 'Customer impact' });
    expect(block).toHaveTextContent('No customer impact recorded yet.');
    expect(block).toHaveTextContent('Edit summary and impact');
  });

  it('edits the customer impact in triage, sending only the impact', async () => {
    // The server keeps what was saved: the refetch after the edit answers the new impact.
    let current = makeIncident();
    const { calls } = renderDetail(current, 'avery', [
      http.get('/incidents/{incident_id}', ({ response }) => response(200).json(current)),
      http.patch('/incidents/{incident_id}', async ({ request, response }) => {
        const { impact } = await request.json();
        current = { ...current, impact: impact ?? current.impact, version: current.version + 1 };
        return response(200).json(current);
      }),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit summary and impact' }));
    expect(screen.getByRole('textbox', { name: 'Customer impact' })).toHaveValue('');
    await user.type(screen.getByRole('textbox', { name: 'Customer impact' }), '  Checkout fails for EU cards ');
    await user.click(screen.getByRole('button', { name: 'Save summary' }));
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Customer impact' })).not.toBeInTheDocument());
    expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ impact: 'Checkout fails for EU cards' });
    expect(calls.find((c) => c.method === 'PATCH')?.body).not.toHaveProperty('title');
    expect(calls.find((c) => c.method === 'PATCH')?.body).not.toHaveProperty('version');
    expect(await screen.findByRole('region', { name: 'Customer impact' })).toHaveTextContent('Checkout fails for EU cards');
  });

  it('is read-only for a viewer', async () => {
    renderDetail(makeIncident(), 'morgan');
    await screen.findByText(/read-only: your role cannot change incidents/);
    expect(screen.queryByRole('button', { name: 'Investigating' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Comment')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Apply/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit summary and impact' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Root cause')).toHaveAttribute('readonly');
    expect(screen.getByRole('region', { name: 'Customer impact' })).not.toHaveTextContent('Edit summary and impact');
    expect(screen.getByRole('button', { name: 'Export Post-Incident Report (Markdown)' })).toBeEnabled();
  });

  it('focuses the comment box on c, but not while typing in a field', async () => {
    renderDetail(makeIncident(), 'avery');
    const user = userEvent.setup();
    const note = await screen.findByLabelText('Note for the status change (optional)');
    await user.click(note);
    await user.keyboard('c');
    expect(note).toHaveValue('c');
    expect(note).toHaveFocus();
    note.blur();
    await user.keyboard('c');
    expect(screen.getByLabelText('Comment')).toHaveFocus();
  });
});
