import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Runbook } from '../../../api/types';
import { http, renderApp, service } from '../../../test/utils';
import { moveItem } from './RunbookEditor';
import RunbooksPage from './RunbooksPage';

const runbooks: Runbook[] = [
  {
    id: 4,
    service_id: 1,
    title: 'Checkout latency',
    steps: [
      { index: 0, title: 'Check the dashboard', detail: '', kind: 'action', destructive: false },
      { index: 1, title: 'Roll back', detail: '', kind: 'action', destructive: false },
      { index: 2, title: 'Scale out', detail: '', kind: 'action', destructive: true },
    ],
  },
];

describe('moveItem', () => {
  it('moves within bounds and ignores moves past the ends', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});

const runbooksHandler = http.get('/runbooks', ({ response }) => response(200).json(runbooks));

describe('RunbooksPage', () => {
  it('shows each service with its SLA policy table and ordered runbook steps', async () => {
    renderApp(<RunbooksPage />, { as: 'avery', handlers: [runbooksHandler] });
    const policy = await screen.findByRole('table', { name: 'SLA policy for checkout-api' });
    const sev2 = within(policy).getByRole('row', { name: /SEV2/ });
    expect(sev2).toHaveTextContent('10m');
    expect(sev2).toHaveTextContent('2h');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Check the dashboard', 'Roll back', 'Scale out⚠ Destructive']);
    expect(screen.queryByRole('button', { name: /Edit/ })).not.toBeInTheDocument();
  });

  it('lets an admin reorder, remove and add steps, flag them destructive or manual, then saves them', async () => {
    const { calls } = renderApp(<RunbooksPage />, {
      as: 'jordan',
      handlers: [
        runbooksHandler,
        http.patch('/runbooks/{runbook_id}', ({ params, response }) =>
          params.runbook_id === '4' ? response(200).json(runbooks[0]) : response(404).json({ detail: 'Not Found', code: 'not_found' }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit runbook Checkout latency' }));
    await user.click(screen.getByRole('button', { name: 'Move step 3 up' }));
    await user.click(screen.getByRole('button', { name: 'Remove step 1' }));
    await user.click(screen.getByRole('button', { name: 'Add step' }));
    await user.type(screen.getByLabelText('Step 3 title'), 'Confirm recovery');
    await user.selectOptions(screen.getByLabelText('Step 3 kind'), 'manual');
    // The stored flag comes back into the editor; the admin sets another.
    expect(screen.getByLabelText('Step 1 is destructive (ask before applying)')).toBeChecked();
    await user.click(screen.getByLabelText('Step 2 is destructive (ask before applying)'));
    await user.clear(screen.getByLabelText('Runbook title'));
    await user.type(screen.getByLabelText('Runbook title'), 'Checkout latency v2');
    await user.click(screen.getByRole('button', { name: 'Save runbook' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      title: 'Checkout latency v2',
      steps: [
        { title: 'Scale out', detail: '', kind: 'action', destructive: true },
        { title: 'Roll back', detail: '', kind: 'action', destructive: true },
        { title: 'Confirm recovery', detail: '', kind: 'manual', destructive: false },
      ],
    });
  });

  it('lets an admin add a service with a starting SLA policy', async () => {
    const { calls } = renderApp(<RunbooksPage />, {
      as: 'jordan',
      handlers: [
        runbooksHandler,
        http.post('/services', ({ response }) =>
          response(201).json({ ...service, id: 9, name: 'search-indexer', owner_team: 'Discovery' }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New service' }));
    await user.type(screen.getByLabelText('Service name'), 'search-indexer');
    await user.type(screen.getByLabelText('Owner team'), 'Discovery');
    await user.click(screen.getByRole('button', { name: 'Create service' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const body = calls.find((c) => c.method === 'POST')?.body as { name: string; owner_team: string; sla_policy: object };
    expect(body.name).toBe('search-indexer');
    expect(body.owner_team).toBe('Discovery');
    expect(Object.keys(body.sla_policy)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
  });

  it('lets an admin edit the SLA policy', async () => {
    const { calls } = renderApp(<RunbooksPage />, {
      as: 'jordan',
      handlers: [
        runbooksHandler,
        http.patch('/services/{service_id}', ({ params, response }) =>
          params.service_id === '1' ? response(200).json(service) : response(404).json({ detail: 'Not Found', code: 'not_found' }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit SLA policy for checkout-api' }));
    const ack = screen.getByLabelText('SEV1 acknowledge minutes');
    await user.clear(ack);
    await user.type(ack, '3');
    await user.click(screen.getByRole('button', { name: 'Save SLA policy' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    const body = calls.find((c) => c.method === 'PATCH')?.body as { sla_policy: Record<string, unknown> };
    expect(body.sla_policy.SEV1).toEqual({ ack_minutes: 3, resolve_minutes: 30 });
    expect(body.sla_policy.SEV4).toEqual({ ack_minutes: 240, resolve_minutes: 4320 });
  });
});
