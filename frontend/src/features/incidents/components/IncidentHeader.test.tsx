import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { RequestHandler } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import type { IncidentDetail, Runbook } from '../../../api/types';
import { http, makeEvent, makeIncident, renderApp } from '../../../test/utils';
import { IncidentDetailPage } from './IncidentDetailPage';
import { nextStep } from './moves';

const runbooks: Runbook[] = [
  {
    id: 3,
    service_id: 1,
    title: 'Checkout latency',
    steps: [
      { index: 0, title: 'Check the dashboard', detail: '', kind: 'action', destructive: false },
      { index: 1, title: 'Scale out pods', detail: '', kind: 'action', destructive: true },
      { index: 2, title: 'Confirm recovery', detail: '', kind: 'manual', destructive: false },
    ],
  },
];

/** The incident as the server holds it, changed by the handlers a test adds. */
function renderDetail(start: IncidentDetail, as: 'jordan' | 'avery' | 'morgan' = 'avery', handlers: (get: () => IncidentDetail, set: (i: IncidentDetail) => void) => RequestHandler[] = () => []) {
  let current = start;
  return renderApp(<IncidentDetailPage />, {
    path: `/incidents/${start.id}`,
    pattern: '/incidents/:id',
    as,
    handlers: [
      ...handlers(() => current, (i) => (current = i)),
      http.get('/incidents/{incident_id}', ({ response }) => response(200).json(current)),
      http.get('/incidents/{incident_id}/alerts', ({ response }) => response(200).json({ items: [], next_cursor: null })),
      http.get('/runbooks', ({ response }) => response(200).json(runbooks)),
    ],
  });
}

describe('nextStep', () => {
  it('is the forward move among the allowed ones, named as a verb', () => {
    expect(nextStep({ status: 'New', allowed_transitions: ['Investigating'] })).toEqual({ to: 'Investigating', label: 'Acknowledge' });
    expect(nextStep({ status: 'Investigating', allowed_transitions: ['Mitigated'] })).toEqual({ to: 'Mitigated', label: 'Mark mitigated' });
    expect(nextStep({ status: 'Mitigated', allowed_transitions: ['Resolved', 'Investigating'] })).toEqual({ to: 'Resolved', label: 'Resolve' });
    expect(nextStep({ status: 'Resolved', allowed_transitions: ['Closed', 'Investigating'] })).toEqual({ to: 'Closed', label: 'Close' });
    expect(nextStep({ status: 'Closed', allowed_transitions: [] })).toBeNull();
  });
});

describe('the incident header', () => {
  it('shows severity, status, owner and the SLA in words, and takes the next step', async () => {
    const { calls } = renderDetail(makeIncident(), 'avery', (get, set) => [
      http.post('/incidents/{incident_id}/status', ({ response }) => {
        set({ ...get(), status: 'Investigating', allowed_transitions: ['Mitigated'], version: 2 });
        return response(200).json(get());
      }),
    ]);
    const h1 = await screen.findByRole('heading', { level: 1 });
    const head = h1.closest('header')!;
    expect(head).toHaveTextContent('SEV2');
    expect(head).toHaveTextContent('New');
    expect(head).toHaveTextContent('Owner Avery Patel');
    expect(head).toHaveTextContent('On track');
    await userEvent.setup().click(within(head).getByRole('button', { name: 'Acknowledge' }));
    expect(await within(head).findByText('Moved to Investigating.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ status: 'Investigating' });
    expect(await within(head).findByRole('button', { name: 'Mark mitigated' })).toBeInTheDocument();
  });

  it('copies the absolute link to the incident and says so', async () => {
    renderDetail(makeIncident());
    // user-event stands in for the system clipboard.
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Copy link to INC-7' }));
    expect(await screen.findByText('Link copied')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(`${window.location.origin}/incidents/7`);
  });

  it('has no next-step button for a viewer', async () => {
    renderDetail(makeIncident(), 'morgan');
    await screen.findByRole('heading', { level: 1 });
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).not.toBeInTheDocument();
  });
});

describe('closing as a checklist', () => {
  const resolved = makeIncident({
    status: 'Resolved',
    allowed_transitions: ['Closed', 'Investigating'],
    close_blockers: ['root_cause', 'prevention_actions'],
  });

  it('lists what closing needs before anyone asks, each item taking you to its field', async () => {
    renderDetail(resolved);
    await screen.findByRole('region', { name: /Before closing/ });
    const list = () => screen.getByRole('region', { name: /Before closing/ });
    expect(list()).toHaveTextContent('2 items left');
    expect(list()).not.toHaveTextContent('root_cause');
    expect(within(list()).getByText(/Contributing factors written/)).toBeInTheDocument();
    expect(within(list()).queryByRole('link', { name: /Contributing factors/ })).not.toBeInTheDocument();
    const link = within(list()).getByRole('link', { name: /Root cause written/ });
    Element.prototype.scrollIntoView = vi.fn();
    await userEvent.setup().click(link);
    expect(screen.getByLabelText('Root cause')).toHaveFocus();
  });

  it('clears a refused close once the RCA is saved, without a reload', async () => {
    renderDetail(resolved, 'avery', (get, set) => [
      http.post('/incidents/{incident_id}/status', ({ response }) =>
        response(409).json({ detail: 'missing: root_cause', code: 'closure_blocked', missing: ['root_cause', 'prevention_actions'] }),
      ),
      http.put('/incidents/{incident_id}/rca', async ({ request, response }) => {
        const body = await request.json();
        set({ ...get(), close_blockers: [], version: get().version + 1 });
        return response(200).json({ ...body, incident_id: 7, updated_at: new Date().toISOString(), updated_by: 2, missing_fields: [] });
      }),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Close' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot close yet: the RCA is missing Root cause, Prevention actions.');
    await user.type(screen.getByLabelText('Root cause'), 'bad config');
    await user.type(screen.getByLabelText('Prevention actions'), 'canary');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument());
    expect(await screen.findByRole('region', { name: /Before closing/ })).toHaveTextContent('ready to close');
  });
});

describe('runbook steps with state', () => {
  const at = new Date(Date.now() - 5 * 60_000).toISOString();
  const investigating = makeIncident({
    status: 'Investigating',
    allowed_transitions: ['Mitigated'],
    runbook_steps: [{ runbook_id: 3, step_index: 0, done: true, times: 2, by: 1, by_name: 'Jordan Lee', at }],
  });

  it('shows who applied a step and when, offers Apply again, and counts what is done', async () => {
    renderDetail(investigating);
    const card = await screen.findByRole('region', { name: 'Checkout latency' });
    expect(card).toHaveTextContent('1 of 3 done');
    expect(card).toHaveTextContent(/Applied by Jordan Lee 5m( \d+s)? ago/);
    expect(card).toHaveTextContent('(2 times)');
    expect(within(card).getByRole('button', { name: 'Apply again, step 1: Check the dashboard' })).toHaveTextContent('Apply again');
  });

  it('asks before applying a destructive step', async () => {
    const { calls } = renderDetail(investigating, 'avery', () => [
      http.post('/incidents/{incident_id}/apply-runbook-step', ({ response }) => response(201).json(makeEvent({ type: 'runbook_step' }))),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Apply step 2: Scale out pods' }));
    expect(calls.some((c) => c.path.endsWith('apply-runbook-step'))).toBe(false);
    const confirm = screen.getByRole('group', { name: 'Confirm step 2' });
    await user.click(within(confirm).getByRole('button', { name: 'Yes, apply step 2' }));
    expect(await screen.findByText('Logged “Scale out pods” to the timeline.')).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith('apply-runbook-step'))?.body).toEqual({ runbook_id: 3, step_index: 1, done: true, confirmed: true });
  });

  it('ticks and unticks a manual check', async () => {
    const { calls } = renderDetail(investigating, 'avery', (get, set) => [
      http.post('/incidents/{incident_id}/apply-runbook-step', async ({ request, response }) => {
        const body = await request.json();
        const others = get().runbook_steps.filter((s) => s.step_index !== 2);
        set({ ...get(), runbook_steps: [...others, { runbook_id: 3, step_index: 2, done: body.done, times: 1, by: 2, by_name: 'Avery Patel', at: new Date().toISOString() }] });
        return response(201).json(makeEvent({ type: 'runbook_step' }));
      }),
    ]);
    const user = userEvent.setup();
    const box = await screen.findByRole('checkbox', { name: 'Done: step 3, Confirm recovery' });
    expect(box).not.toBeChecked();
    await user.click(box);
    expect(await screen.findByText('Ticked “Confirm recovery”.')).toBeInTheDocument();
    await waitFor(() => expect(box).toBeChecked());
    expect(screen.getByRole('region', { name: 'Checkout latency' })).toHaveTextContent('2 of 3 done');
    expect(screen.getByRole('region', { name: 'Checkout latency' })).toHaveTextContent('Ticked by Avery Patel');
    await act(() => user.click(box));
    await waitFor(() => expect(box).not.toBeChecked());
    expect(calls.filter((c) => c.path.endsWith('apply-runbook-step')).map((c) => (c.body as { done: boolean }).done)).toEqual([true, false]);
  });
});
