import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, renderApp } from '../../../test/utils';
import type { Channel, Delivery } from '../../../api/types';
import NotificationsPage from './NotificationsPage';

const hook: Channel = {
  id: 1,
  name: 'ops-webhook',
  kind: 'webhook',
  url: 'https://hooks.example.com/incident',
  events: ['incident.created', 'sla.breached'],
  min_severity: 'SEV2',
  service_ids: [1],
  has_secret: true,
  failing_since: null,
  paused_until: null,
  created_at: '2026-11-27T10:00:00Z',
};
const slack: Channel = {
  id: 2,
  name: 'slack-incidents',
  kind: 'slack',
  url: 'https://hooks.slack.com/…',
  events: ['incident.escalated'],
  min_severity: null,
  service_ids: [],
  has_secret: false,
  failing_since: null,
  paused_until: null,
  created_at: '2026-11-27T10:00:00Z',
};

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    id: 'd-1',
    event: 'incident.created',
    incident_id: 7,
    status: 'delivered',
    attempts: 1,
    last_status_code: 200,
    last_error: null,
    next_attempt_at: null,
    delivered_at: '2026-11-27T10:01:00Z',
    created_at: '2026-11-27T10:00:59Z',
    ...overrides,
  };
}

const channelsHandler = (list: Channel[] = [hook, slack]) => http.get('/notification-channels', ({ response }) => response(200).json(list));

function card(name: string) {
  return screen.getByRole('listitem', { name });
}

describe('NotificationsPage', () => {
  it('lists channels in words, a Slack URL by its host only', async () => {
    renderApp(<NotificationsPage />, { handlers: [channelsHandler()] });
    await screen.findByRole('listitem', { name: 'ops-webhook' });
    expect(screen.getByText(/^2 channels\./)).toBeInTheDocument();
    const webhook = card('ops-webhook');
    expect(webhook).toHaveTextContent('https://hooks.example.com/incident');
    expect(webhook).toHaveTextContent('An incident is opened');
    expect(webhook).toHaveTextContent('An SLA target is breached');
    expect(webhook).toHaveTextContent('SEV2 or worse');
    expect(webhook).toHaveTextContent('checkout-api');
    const s = card('slack-incidents');
    expect(s).toHaveTextContent('Slack');
    expect(s).toHaveTextContent('https://hooks.slack.com/…');
    expect(s).toHaveTextContent('Every severity');
    expect(s).toHaveTextContent('Every service');
  });

  it('adds a webhook channel with a secret, its events, severity and services', async () => {
    const { calls } = renderApp(<NotificationsPage />, {
      handlers: [
        channelsHandler([]),
        http.post('/notification-channels', ({ response }) => response(201).json({ ...hook, id: 3, name: 'pager' })),
      ],
    });
    const user = userEvent.setup();
    await screen.findByText(/No channels yet/);
    await user.click(screen.getByRole('button', { name: 'Add a channel' }));
    const form = screen.getByRole('form', { name: 'Add a channel' });
    await user.type(within(form).getByLabelText('Name'), ' pager ');
    await user.type(within(form).getByLabelText('URL'), 'https://pager.example.com/hook');
    await user.type(within(form).getByLabelText(/Signing secret/), 's3cret');
    await user.click(within(form).getByLabelText('Its status changes'));
    await user.click(within(form).getByLabelText('An SLA target is breached'));
    await user.selectOptions(within(form).getByLabelText('For incidents of'), 'SEV1');
    await user.click(within(form).getByLabelText('checkout-api'));
    await user.click(within(form).getByRole('button', { name: 'Add channel' }));
    expect(await screen.findByText(/pager was added. Press Test/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'pager',
      kind: 'webhook',
      url: 'https://pager.example.com/hook',
      secret: 's3cret',
      events: ['incident.created', 'incident.status_changed', 'incident.escalated'],
      min_severity: 'SEV1',
      service_ids: [1],
    });
  });

  it('adds a channel that hears no event: it is told only by escalations', async () => {
    const { calls } = renderApp(<NotificationsPage />, {
      handlers: [channelsHandler([]), http.post('/notification-channels', ({ response }) => response(201).json({ ...slack, events: [] }))],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add a channel' }));
    const form = screen.getByRole('form', { name: 'Add a channel' });
    await user.type(within(form).getByLabelText('Name'), 'slack-incidents');
    await user.selectOptions(within(form).getByLabelText('Kind'), 'slack');
    expect(within(form).queryByLabelText(/Signing secret/)).not.toBeInTheDocument();
    await user.type(within(form).getByLabelText('Slack webhook URL'), 'https://hooks.slack.com/services/T0/B0/x');
    for (const label of ['An incident is opened', 'An SLA target is breached', /It is escalated/]) {
      await user.click(within(form).getByLabelText(label));
    }
    await user.click(within(form).getByRole('button', { name: 'Add channel' }));
    await screen.findByText(/slack-incidents was added/);
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ kind: 'slack', events: [], service_ids: [], min_severity: null });
    expect(calls.find((c) => c.method === 'POST')?.body).not.toHaveProperty('secret');
  });

  it('shows the server’s refusal of an unsafe URL, naming the field', async () => {
    renderApp(<NotificationsPage />, {
      handlers: [
        channelsHandler([]),
        http.post('/notification-channels', ({ response }) =>
          response(422).json({
            code: 'validation_failed',
            detail: 'The URL resolves to 127.0.0.1, a loopback address: not allowed (NOTIFICATION_ALLOWED_NETWORKS)',
            field: 'url',
          }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add a channel' }));
    const form = screen.getByRole('form', { name: 'Add a channel' });
    await user.type(within(form).getByLabelText('Name'), 'local');
    await user.type(within(form).getByLabelText('URL'), 'https://127.0.0.1/hook');
    await user.click(within(form).getByRole('button', { name: 'Add channel' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(/loopback address: not allowed/);
  });

  it('edits a Slack channel sending only what changed: an empty URL keeps the stored one', async () => {
    const { calls } = renderApp(<NotificationsPage />, {
      handlers: [channelsHandler(), http.patch('/notification-channels/{channel_id}', ({ response }) => response(200).json({ ...slack, name: 'slack-sev' }))],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit slack-incidents' }));
    const form = screen.getByRole('form', { name: 'Edit channel slack-incidents' });
    const url = within(form).getByLabelText('Slack webhook URL');
    expect(url).toHaveValue('');
    expect(url).not.toBeRequired();
    expect(within(form).queryByLabelText(/Signing secret/)).not.toBeInTheDocument();
    await user.clear(within(form).getByLabelText('Name'));
    await user.type(within(form).getByLabelText('Name'), 'slack-sev');
    await user.selectOptions(within(form).getByLabelText('For incidents of'), 'SEV2');
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    expect(await screen.findByText('slack-sev was saved.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: 'slack-sev', min_severity: 'SEV2' });
  });

  it('keeps a webhook’s secret when the field is left empty, and replaces it when typed', async () => {
    const { calls } = renderApp(<NotificationsPage />, {
      handlers: [channelsHandler(), http.patch('/notification-channels/{channel_id}', ({ response }) => response(200).json(hook))],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit ops-webhook' }));
    let form = screen.getByRole('form', { name: 'Edit channel ops-webhook' });
    expect(within(form).getByLabelText('URL')).toHaveValue('https://hooks.example.com/incident');
    expect(within(form).getByText(/Leave empty to keep the current secret/)).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    // Nothing changed: nothing is sent.
    await waitFor(() => expect(screen.queryByRole('form')).not.toBeInTheDocument());
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Edit ops-webhook' }));
    form = screen.getByRole('form', { name: 'Edit channel ops-webhook' });
    await user.type(within(form).getByLabelText(/Signing secret/), 'new-secret');
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ secret: 'new-secret' });
  });

  it('asks before deleting a channel', async () => {
    const { calls } = renderApp(<NotificationsPage />, {
      handlers: [channelsHandler(), http.delete('/notification-channels/{channel_id}', ({ response }) => response(204).empty())],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete ops-webhook' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    const confirm = screen.getByRole('group', { name: 'Confirm deleting ops-webhook' });
    expect(confirm).toHaveTextContent(/delivery history is deleted/);
    await user.click(within(confirm).getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'DELETE')?.path).toBe('/notification-channels/1'));
  });

  it('shows why a channel an escalation policy names cannot be deleted', async () => {
    renderApp(<NotificationsPage />, {
      handlers: [
        channelsHandler(),
        http.delete('/notification-channels/{channel_id}', ({ response }) =>
          response(409).json({ code: 'conflict', detail: 'This channel is a step of the escalation policy of checkout-api: take it out there first' }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete ops-webhook' }));
    const confirm = screen.getByRole('group', { name: 'Confirm deleting ops-webhook' });
    expect(confirm).toHaveTextContent(/cannot be deleted: take it out of the policy/);
    await user.click(within(confirm).getByRole('button', { name: 'Yes, delete' }));
    expect(await within(confirm).findByRole('alert')).toHaveTextContent('escalation policy of checkout-api: take it out there first');
    expect(screen.getByRole('listitem', { name: 'ops-webhook' })).toBeInTheDocument();
  });

  it('sends a test and follows its delivery until it arrives', async () => {
    let reads = 0;
    renderApp(<NotificationsPage />, {
      handlers: [
        channelsHandler(),
        http.post('/notification-channels/{channel_id}/test', ({ response }) =>
          response(202).json(delivery({ id: 'test-1', event: 'test', incident_id: null, status: 'pending', attempts: 0, last_status_code: null, delivered_at: null })),
        ),
        http.get('/notification-channels/{channel_id}/deliveries', ({ response }) => {
          reads += 1;
          const sent = reads > 1;
          return response(200).json({
            items: [
              delivery({
                id: 'test-1',
                event: 'test',
                incident_id: null,
                status: sent ? 'delivered' : 'pending',
                attempts: sent ? 1 : 0,
                last_status_code: sent ? 204 : null,
                delivered_at: sent ? '2026-11-27T10:02:00Z' : null,
              }),
            ],
            next_cursor: null,
          });
        }),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Send a test to ops-webhook' }));
    expect(await within(card('ops-webhook')).findByText('Sending the test…')).toBeInTheDocument();
    expect(await within(card('ops-webhook')).findByText(/The test was delivered \(HTTP 204\)/, {}, { timeout: 4000 })).toBeInTheDocument();
    expect(reads).toBeGreaterThan(1);
  });

  it('shows a failed test with what the endpoint answered', async () => {
    renderApp(<NotificationsPage />, {
      handlers: [
        channelsHandler(),
        http.post('/notification-channels/{channel_id}/test', ({ response }) =>
          response(202).json(delivery({ id: 'test-2', event: 'test', incident_id: null, status: 'pending', attempts: 0, last_status_code: null, delivered_at: null })),
        ),
        http.get('/notification-channels/{channel_id}/deliveries', ({ response }) =>
          response(200).json({
            items: [
              delivery({ id: 'test-2', event: 'test', incident_id: null, status: 'failed', last_status_code: 400, last_error: 'HTTP 400: refused by the receiver', delivered_at: null }),
            ],
            next_cursor: null,
          }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Send a test to ops-webhook' }));
    expect(await within(card('ops-webhook')).findByText('The test failed: HTTP 400: refused by the receiver.')).toBeInTheDocument();
  });

  it('pages through deliveries and retries a failed one now', async () => {
    const { calls } = renderApp(<NotificationsPage />, {
      handlers: [
        channelsHandler(),
        http.get('/notification-channels/{channel_id}/deliveries', ({ request, response }) => {
          const cursor = new URL(request.url).searchParams.get('cursor');
          return response(200).json(
            cursor === 'page-2'
              ? { items: [delivery({ id: 'd-old', incident_id: 3 })], next_cursor: null }
              : {
                  items: [
                    delivery({ id: 'd-failed', event: 'sla.breached', status: 'failed', attempts: 8, last_status_code: 503, last_error: 'Service Unavailable', delivered_at: null }),
                    delivery({ id: 'd-retrying', event: 'incident.status_changed', status: 'pending', attempts: 2, last_status_code: null, last_error: 'Timed out after 5 s', next_attempt_at: new Date(Date.now() + 20_000).toISOString(), delivered_at: null }),
                    delivery({ id: 'd-ok' }),
                  ],
                  next_cursor: 'page-2',
                },
          );
        }),
        http.post('/notification-channels/{channel_id}/deliveries/{delivery_id}/retry', ({ response }) =>
          response(200).json(delivery({ id: 'd-failed', status: 'pending', attempts: 0 })),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Deliveries to ops-webhook' }));
    const table = await screen.findByRole('table', { name: /Deliveries to ops-webhook/ });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Failed');
    expect(rows[0]).toHaveTextContent('SLA breached');
    expect(rows[0]).toHaveTextContent('INC-7');
    expect(rows[0]).toHaveTextContent('HTTP 503');
    expect(rows[0]).toHaveTextContent('Service Unavailable');
    expect(rows[1]).toHaveTextContent('Retrying');
    expect(rows[1]).toHaveTextContent('No answer');
    expect(rows[1]).toHaveTextContent('Timed out after 5 s');
    expect(rows[2]).toHaveTextContent('Delivered');
    expect(within(rows[2]).queryByRole('button')).not.toBeInTheDocument();
    expect(table).toHaveAccessibleName(/3 deliveries shown/);

    await user.click(within(rows[0]).getByRole('button', { name: /^Retry now: SLA breached of INC-7/ }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/notification-channels/1/deliveries/d-failed/retry')).toBe(true));
    expect(await screen.findByText('Queued to send again now.')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Show older deliveries' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(5));
    expect(calls.some((c) => c.path === '/notification-channels/1/deliveries' && c.search === '?cursor=page-2')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Show older deliveries' })).not.toBeInTheDocument();
  });

  it('removes a webhook’s secret on request, and keeps the kind fixed', async () => {
    const { calls } = renderApp(<NotificationsPage />, {
      handlers: [channelsHandler(), http.patch('/notification-channels/{channel_id}', ({ response }) => response(200).json({ ...hook, has_secret: false }))],
    });
    const user = userEvent.setup();
    expect(await within(await screen.findByRole('listitem', { name: 'ops-webhook' })).findByText('Signed with a secret')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Edit ops-webhook' }));
    const form = screen.getByRole('form', { name: 'Edit channel ops-webhook' });
    expect(within(form).getByLabelText('Kind')).toBeDisabled();
    await user.click(within(form).getByLabelText(/Remove the secret/));
    expect(within(form).getByLabelText(/Signing secret/)).toBeDisabled();
    await user.click(within(form).getByRole('button', { name: 'Save channel' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({ path: '/notification-channels/1', body: { secret: null } });
  });

  it('says when a channel keeps failing and rests', async () => {
    const failing = { ...hook, failing_since: new Date(Date.now() - 3_600_000).toISOString(), paused_until: new Date(Date.now() + 600_000).toISOString() };
    renderApp(<NotificationsPage />, { handlers: [channelsHandler([failing, slack])] });
    const c = await screen.findByRole('listitem', { name: 'ops-webhook' });
    expect(c).toHaveTextContent(/Deliveries have been failing since .*1h ago/);
    expect(c).toHaveTextContent(/rests this channel until/);
    expect(screen.getByRole('listitem', { name: 'slack-incidents' })).not.toHaveTextContent(/failing/);
  });

  it('is for admins only, and asks nothing of the server otherwise', async () => {
    const { calls } = renderApp(<NotificationsPage />, { as: 'avery' });
    expect(await screen.findByRole('alert')).toHaveTextContent('Only an admin manages notifications.');
    expect(calls.some((c) => c.path.startsWith('/notification-channels'))).toBe(false);
  });
});

