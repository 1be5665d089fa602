import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ActionItem, IncidentDetail } from '../../../api/types';
import { http, makeIncident, renderApp } from '../../../test/utils';
import { IncidentDetailPage } from '../../incidents';
import { createBody, draftProblems, EMPTY_DRAFT, updateBody } from './drafts';
import MyFollowUpsPage from './MyFollowUpsPage';

function makeItem(overrides: Partial<ActionItem> = {}): ActionItem {
  return {
    id: 11,
    incident_id: 7,
    incident_title: 'Checkout p99 latency above 3s',
    incident_severity: 'SEV2',
    title: 'Alert on pool saturation',
    kind: 'preventive',
    owner_id: 2,
    owner_name: 'Avery Patel',
    due_date: '2026-12-05',
    url: null,
    status: 'open',
    overdue: false,
    created_at: new Date().toISOString(),
    completed_at: null,
    created_by: 2,
    created_by_name: 'Avery Patel',
    ...overrides,
  };
}

describe('follow-up drafts', () => {
  it('sends what was filled in, trimmed, and leaves out the empty fields', () => {
    expect(createBody({ ...EMPTY_DRAFT, title: '  Add the alert ', url: ' ' })).toEqual({ title: 'Add the alert', kind: 'corrective' });
    expect(createBody({ title: 'x', kind: 'preventive', ownerId: '2', dueDate: '2026-12-01', url: 'https://t.example/1' })).toEqual({
      title: 'x',
      kind: 'preventive',
      owner_id: 2,
      due_date: '2026-12-01',
      url: 'https://t.example/1',
    });
  });

  it('sends only what an edit changed, an emptied field as null', () => {
    const item = makeItem({ url: 'https://t.example/1' });
    expect(updateBody(item, { title: item.title, kind: 'preventive', ownerId: '2', dueDate: '2026-12-05', url: 'https://t.example/1' })).toEqual({});
    expect(updateBody(item, { title: 'New', kind: 'corrective', ownerId: '', dueDate: '', url: '' })).toEqual({
      title: 'New',
      kind: 'corrective',
      owner_id: null,
      due_date: null,
      url: null,
    });
  });

  it('says what the server would refuse before sending', () => {
    expect(draftProblems({ ...EMPTY_DRAFT, title: ' ' })).toHaveProperty('title');
    expect(draftProblems({ ...EMPTY_DRAFT, title: 'x', url: 'javascript:alert(1)' })).toHaveProperty('url');
    expect(draftProblems({ ...EMPTY_DRAFT, title: 'x', url: 'https://tickets.example.com/OPS-1' })).toEqual({});
  });
});

function renderDetail(incident: IncidentDetail, items: ActionItem[], as: 'avery' | 'morgan' = 'avery') {
  let current = items;
  return renderApp(<IncidentDetailPage />, {
    path: `/incidents/${incident.id}`,
    pattern: '/incidents/:id',
    as,
    handlers: [
      http.get('/incidents/{incident_id}', ({ response }) => response(200).json(incident)),
      http.get('/incidents/{incident_id}/alerts', ({ response }) => response(200).json({ items: [], next_cursor: null })),
      http.get('/runbooks', ({ response }) => response(200).json([])),
      http.get('/incidents/{incident_id}/action-items', ({ response }) => response(200).json(current)),
      http.post('/incidents/{incident_id}/action-items', async ({ request, response }) => {
        const body = await request.json();
        const added = makeItem({ id: 12, title: body.title, kind: body.kind, owner_id: body.owner_id ?? null, owner_name: body.owner_id ? 'Avery Patel' : null, due_date: body.due_date ?? null, url: body.url ?? null });
        current = [...current, added];
        return response(201).json(added);
      }),
      http.patch('/action-items/{item_id}', async ({ request, response }) => {
        const body = await request.json();
        current = current.map((i) => (i.status && body.status ? { ...i, status: body.status } : i));
        return response(200).json(current[0]);
      }),
    ],
  });
}

describe('the Follow-ups card', () => {
  const resolved = makeIncident({ status: 'Resolved', allowed_transitions: ['Closed', 'Investigating'], close_blockers: ['action_items'] });

  it('is what the close checklist points to when the service needs a follow-up, and adds one', async () => {
    const { calls } = renderDetail(resolved, []);
    // Once the console knows the reader may act (the checklist is drawn again then).
    await screen.findByRole('button', { name: 'Add follow-up' });
    const checklist = screen.getByRole('region', { name: /Before closing/ });
    expect(checklist).toHaveTextContent('1 item left');
    Element.prototype.scrollIntoView = vi.fn();
    const user = userEvent.setup();
    await user.click(within(checklist).getByRole('link', { name: /A follow-up with an owner and a due date/ }));
    const title = await screen.findByLabelText('What needs doing');
    expect(title).toHaveFocus();

    await user.type(title, 'Raise the pool limit');
    await user.selectOptions(screen.getByLabelText('Owner'), 'Avery Patel');
    await user.type(screen.getByLabelText('Ticket link'), 'ftp://nope');
    await user.click(screen.getByRole('button', { name: 'Add follow-up' }));
    expect(await screen.findByText('A link starting with https:// or http://.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(screen.getByLabelText('Ticket link'));
    await user.type(screen.getByLabelText('Ticket link'), 'https://tickets.example.com/OPS-9');
    await user.click(screen.getByRole('button', { name: 'Add follow-up' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      title: 'Raise the pool limit',
      kind: 'corrective',
      owner_id: 2,
      url: 'https://tickets.example.com/OPS-9',
    });
    const card = screen.getByRole('region', { name: /Follow-ups/ });
    expect(await within(card).findByText('Raise the pool limit')).toBeInTheDocument();
    expect(within(card).getByLabelText('What needs doing')).toHaveValue('');
  });

  it('marks an overdue item and completes it', async () => {
    const { calls } = renderDetail(makeIncident(), [makeItem({ overdue: true, due_date: '2026-01-05' })]);
    const card = await screen.findByRole('region', { name: /Follow-ups/ });
    const item = (await within(card).findByText('Alert on pool saturation')).closest('li')!;
    expect(item).toHaveTextContent('Overdue');
    expect(item).toHaveTextContent('05 Jan 2026');
    await userEvent.setup().click(within(item).getByRole('button', { name: /Mark done/ }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ status: 'done' }));
    expect(calls.find((c) => c.method === 'PATCH')?.path).toBe('/action-items/11');
  });

  it('is read-only for a viewer', async () => {
    renderDetail(makeIncident(), [makeItem()], 'morgan');
    const card = await screen.findByRole('region', { name: /Follow-ups/ });
    await within(card).findByText('Alert on pool saturation');
    expect(within(card).queryByRole('button')).not.toBeInTheDocument();
    expect(within(card).queryByLabelText('What needs doing')).not.toBeInTheDocument();
  });
});

describe('My follow-ups', () => {
  it('asks for the caller’s open items and shows the overdue first, each linking to its incident', async () => {
    const { calls } = renderApp(<MyFollowUpsPage />, {
      as: 'avery',
      handlers: [
        http.get('/action-items', ({ response }) =>
          response(200).json({
            items: [
              makeItem({ id: 1, title: 'Late one', overdue: true, due_date: '2026-01-02', incident_id: 4, incident_title: 'DB failover' }),
              makeItem({ id: 2, title: 'Next week', due_date: '2026-12-20' }),
            ],
            next_cursor: null,
          }),
        ),
      ],
    });
    const list = await screen.findByRole('list', { name: 'My follow-ups' });
    const [first, second] = within(list).getAllByRole('listitem');
    expect(first).toHaveTextContent('Late one');
    expect(first).toHaveTextContent('Overdue');
    expect(within(first).getByRole('link', { name: /INC-4 DB failover/ })).toHaveAttribute('href', '/incidents/4');
    expect(second).not.toHaveTextContent('Overdue');
    expect(screen.getByText(/1 overdue item · 2 open items/)).toBeInTheDocument();
    const get = calls.find((c) => c.path === '/action-items');
    expect(new URLSearchParams(get?.search).get('owner_id')).toBe('me');
    expect(new URLSearchParams(get?.search).get('status')).toBe('open');
  });
});
