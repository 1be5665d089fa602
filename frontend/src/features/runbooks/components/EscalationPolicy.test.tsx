import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Channel, Service } from '../../../api/types';
import { http, renderApp, service } from '../../../test/utils';
import RunbooksPage from './RunbooksPage';

const channels: Channel[] = [
  { id: 1, name: 'ops-webhook', kind: 'webhook', url: 'https://hooks.example.com/x', events: ['incident.created'], min_severity: null, service_ids: [], has_secret: false, failing_since: null, paused_until: null, created_at: '2026-11-27T10:00:00Z' },
  { id: 2, name: 'slack-oncall', kind: 'slack', url: 'https://hooks.slack.com/…', events: [], min_severity: null, service_ids: [], has_secret: false, failing_since: null, paused_until: null, created_at: '2026-11-27T10:00:00Z' },
];

const withPolicy: Service = {
  ...service,
  escalation_policy: [
    { after_minutes: 10, channel_ids: [2] },
    { after_minutes: 30, channel_ids: [1, 2] },
  ],
};

function handlers(svc: Service) {
  return [
    http.get('/runbooks', ({ response }) => response(200).json([])),
    http.get('/services', ({ response }) => response(200).json([svc])),
    http.get('/notification-channels', ({ response }) => response(200).json(channels)),
    http.patch('/services/{service_id}', async ({ request, response }) => response(200).json({ ...svc, ...((await request.json()) as Partial<Service>) } as Service)),
  ];
}

describe('EscalationPolicy on the runbooks page', () => {
  it('shows each step with its wait and the channels it tells', async () => {
    renderApp(<RunbooksPage />, { handlers: handlers(withPolicy) });
    const steps = await screen.findByRole('list', { name: 'Escalation policy for checkout-api' });
    await waitFor(() => expect(within(steps).getAllByRole('listitem')[1]).toHaveTextContent('ops-webhook, slack-oncall'));
    expect(within(steps).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Still new after 10m: tell slack-oncall',
      'Still new after 30m: tell ops-webhook, slack-oncall',
    ]);
  });

  it('shows a responder how many channels a step tells, without listing channels (admins only)', async () => {
    const { calls } = renderApp(<RunbooksPage />, { as: 'avery', handlers: handlers(withPolicy) });
    const steps = await screen.findByRole('list', { name: 'Escalation policy for checkout-api' });
    expect(within(steps).getAllByRole('listitem')[1]).toHaveTextContent('tell 2 channels');
    expect(screen.queryByRole('button', { name: /escalation policy/ })).not.toBeInTheDocument();
    expect(calls.some((c) => c.path === '/notification-channels')).toBe(false);
  });

  it('says so when a service has no escalation', async () => {
    renderApp(<RunbooksPage />, { handlers: handlers(service) });
    expect(await screen.findByText(/No escalation: an incident nobody acknowledges notifies no one further/)).toBeInTheDocument();
  });

  it('adds, edits and removes steps, and saves them in order with the service', async () => {
    const { calls } = renderApp(<RunbooksPage />, { handlers: handlers(withPolicy) });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit escalation policy for checkout-api' }));
    const form = screen.getByRole('form', { name: 'Edit escalation policy for checkout-api' });
    const step1 = within(form).getByRole('group', { name: 'Step 1' });
    await within(step1).findByLabelText(/slack-oncall/);
    expect(within(step1).getByLabelText(/slack-oncall/)).toBeChecked();
    expect(within(step1).getByLabelText(/ops-webhook/)).not.toBeChecked();

    await user.click(within(form).getByRole('button', { name: 'Add a step' }));
    const step3 = within(form).getByRole('group', { name: 'Step 3' });
    expect(within(step3).getByLabelText('Still new after (minutes)')).toHaveValue(45);
    await user.clear(within(step3).getByLabelText('Still new after (minutes)'));
    await user.type(within(step3).getByLabelText('Still new after (minutes)'), '5');
    // A step that tells nobody is refused before the server is asked.
    await user.click(within(form).getByRole('button', { name: 'Save escalation policy' }));
    expect(within(form).getByRole('alert')).toHaveTextContent('Step 3 tells nobody');
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);

    await user.click(within(step3).getByLabelText(/ops-webhook/));
    await user.click(within(form).getByRole('button', { name: 'Remove step 2' }));
    await user.click(within(form).getByRole('button', { name: 'Save escalation policy' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({
      path: '/services/1',
      body: {
        escalation_policy: [
          { after_minutes: 5, channel_ids: [1] },
          { after_minutes: 10, channel_ids: [2] },
        ],
      },
    });
    await waitFor(() => expect(screen.queryByRole('form', { name: /escalation policy/ })).not.toBeInTheDocument());
  });

  it('stops adding steps at the server’s limit of ten', async () => {
    const ten: Service = { ...service, escalation_policy: Array.from({ length: 10 }, (_, i) => ({ after_minutes: (i + 1) * 5, channel_ids: [1] })) };
    renderApp(<RunbooksPage />, { handlers: handlers(ten) });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit escalation policy for checkout-api' }));
    const form = screen.getByRole('form', { name: 'Edit escalation policy for checkout-api' });
    expect(within(form).getByRole('button', { name: 'Add a step' })).toBeDisabled();
    expect(within(form).getByText('A policy has at most 10 steps.')).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Remove step 10' }));
    expect(within(form).getByRole('button', { name: 'Add a step' })).toBeEnabled();
  });

  it('points to the Notifications page when there is no channel to choose', async () => {
    renderApp(<RunbooksPage />, {
      handlers: [http.get('/notification-channels', ({ response }) => response(200).json([])), ...handlers(service)],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit escalation policy for checkout-api' }));
    expect(await screen.findByText(/There are no channels to tell yet/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Notifications' })).toHaveAttribute('href', '/notifications');
  });
});
