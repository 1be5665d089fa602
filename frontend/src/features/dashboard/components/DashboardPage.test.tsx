import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setShortcutsEnabled } from '../../../components/useHotkeys';
import { http, makeIncident, renderApp, users } from '../../../test/utils';
import { DashboardPage } from './DashboardPage';

function page(items = [makeIncident()], next_cursor: string | null = null) {
  return { items, next_cursor, total: items.length, total_exact: true };
}

function renderDashboard(path = '/', as: 'jordan' | 'morgan' = 'jordan') {
  return renderApp(<DashboardPage />, {
    path,
    as,
    handlers: [
      http.get('/incidents', ({ request, response }) => {
        const sp = new URL(request.url).searchParams;
        if (sp.get('limit') === '1')
          return response(200).json({ items: [], next_cursor: null, total: sp.has('sla_state') ? 2 : 5, total_exact: true });
        if (sp.get('cursor') === 'c2') return response(200).json(page([makeIncident({ id: 3, title: 'Older one' })]));
        const breached = makeIncident({
          id: 8,
          title: 'Payments failing',
          severity: 'SEV1',
          status: 'Investigating',
          acknowledged_at: new Date(Date.now() - 3_600_000).toISOString(),
          sla: {
            ...makeIncident().sla,
            resolve_due_at: new Date(Date.now() - 12 * 60_000).toISOString(),
            resolve_breached: true,
            breached: true,
            state: 'breached',
            next_due_at: null,
          },
        });
        return response(200).json(page([breached, makeIncident()], 'c2'));
      }),
    ],
  });
}

describe('DashboardPage', () => {
  it('lists incidents with severity, status, owner, age and a live SLA countdown', async () => {
    renderDashboard();
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('INC-8 Payments failing');
    expect(rows[1]).toHaveTextContent('SEV1');
    expect(rows[1]).toHaveTextContent('Breached 12m ago');
    expect(rows[2]).toHaveTextContent('Avery Patel');
    expect(rows[2]).toHaveTextContent('On track');
    expect(rows[2]).toHaveTextContent(/Ack due in 1h (19m|20m)/);
    expect(rows[2]).toHaveTextContent('1m ago');
  });

  it('shows the open and breached counts', async () => {
    renderDashboard();
    const counts = await screen.findByLabelText('Incident counts');
    await waitFor(() => expect(counts).toHaveTextContent('Open5'));
    expect(counts).toHaveTextContent('Breached (open)2');
  });

  it('shows an estimated total as approximate', async () => {
    renderApp(<DashboardPage />, {
      path: '/',
      as: 'jordan',
      handlers: [
        http.get('/incidents', ({ request, response }) => {
          const limitOne = new URL(request.url).searchParams.get('limit') === '1';
          return response(200).json(
            limitOne
              ? { items: [], next_cursor: null, total: 3, total_exact: true }
              : { items: [makeIncident()], next_cursor: 'c2', total: 11257, total_exact: false },
          );
        }),
      ],
    });
    expect(await screen.findByText(/about 11,300 incidents match/)).toBeInTheDocument();
    expect(screen.getByLabelText('Incident counts')).toHaveTextContent('Open3');
  });

  it('combines labelled filters and keeps them in the URL and the request', async () => {
    const { router, calls } = renderDashboard();
    const user = userEvent.setup();
    await screen.findByRole('table');
    await user.selectOptions(screen.getByLabelText('Status'), 'Investigating');
    await user.selectOptions(screen.getByLabelText('Severity'), 'SEV1');
    await user.selectOptions(await screen.findByLabelText('Owner'), 'Avery Patel');
    await waitFor(() => expect(router.state.location.search).toContain('assignee_id=2'));
    const sp = new URLSearchParams(router.state.location.search);
    expect(sp.getAll('status')).toEqual(['Investigating']);
    expect(sp.getAll('severity')).toEqual(['SEV1']);
    await waitFor(() =>
      expect(calls.some((c) => c.search.includes('status=Investigating') && c.search.includes('severity=SEV1') && c.search.includes('assignee_id=2'))).toBe(true),
    );
  });

  it('reads filters from the URL, and pages by cursor', async () => {
    const { router } = renderDashboard('/?status=New&status=Investigating&status=Mitigated&q=latency');
    expect(await screen.findByLabelText('Status')).toHaveValue('open');
    expect(screen.getByLabelText('Search')).toHaveValue('latency');
    await screen.findByRole('table');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Older one')).toBeInTheDocument();
    expect(new URLSearchParams(router.state.location.search).get('cursor')).toBe('c2');
  });

  it('focuses search on /, and n opens the new incident form', async () => {
    const { router } = renderDashboard();
    const user = userEvent.setup();
    await screen.findByRole('table');
    await user.keyboard('/');
    expect(screen.getByLabelText('Search')).toHaveFocus();
    await user.keyboard('n');
    expect(screen.getByLabelText('Search')).toHaveValue('n');
    expect(router.state.location.pathname).toBe('/');
  });

  it('runs the alert drill and reports what it created', async () => {
    const { calls } = renderApp(<DashboardPage />, {
      handlers: [
        http.get('/incidents', ({ response }) => response(200).json({ items: [], next_cursor: null, total: 0, total_exact: true })),
        http.post('/alerts/generate', ({ response }) =>
          response(201).json({
            seed: 1,
            created_incident_ids: [4, 5],
            attached_incident_ids: [4],
            alerts: [
              { fingerprint: 'a', incident_id: 4, outcome: 'created', service: 'checkout-api', severity: 'SEV2', summary: 'a' },
              { fingerprint: 'b', incident_id: 5, outcome: 'created', service: 'checkout-api', severity: 'SEV3', summary: 'b' },
              { fingerprint: 'c', incident_id: 4, outcome: 'attached', service: 'checkout-api', severity: 'SEV2', summary: 'c' },
            ],
          }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run alert drill (5 alerts)' }));
    expect(await screen.findByText(/Drill sent 3 alerts: 2 new incidents, 1 open incident updated\./)).toBeInTheDocument();
    expect(calls.find((c) => c.path === '/alerts/generate')?.body).toEqual({ count: 5 });
  });

  it('opens on open incidents, most urgent first, and asks the server for that order', async () => {
    const { router, calls } = renderDashboard();
    await screen.findByRole('table');
    await waitFor(() => expect(router.state.location.search).toContain('sort=urgency'));
    const sp = new URLSearchParams(router.state.location.search);
    expect(sp.getAll('status')).toEqual(['New', 'Investigating', 'Mitigated']);
    expect(screen.getByLabelText('Sort')).toHaveValue('urgency');
    const listCall = calls.find((c) => c.path === '/incidents' && !c.search.includes('limit=1'));
    expect(listCall?.search).toContain('sort=urgency');
    expect(listCall?.search).toContain('status=New&status=Investigating&status=Mitigated');
  });

  it('sends the chosen order to the server and starts again from the first page', async () => {
    const { router, calls } = renderDashboard('/?sort=newest&cursor=c2&back=');
    await screen.findByText('Older one');
    await userEvent.setup().selectOptions(screen.getByLabelText('Sort'), 'Due soonest');
    await waitFor(() => expect(router.state.location.search).toContain('sort=due'));
    expect(router.state.location.search).not.toContain('cursor');
    await waitFor(() => expect(calls.some((c) => c.search.includes('sort=due') && !c.search.includes('cursor'))).toBe(true));
    // The rows are shown as the server ordered them: no reordering in the browser.
    const rows = within(await screen.findByRole('table')).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('INC-8');
    expect(rows[2]).toHaveTextContent('INC-7');
  });

  it('offers Mine and Unassigned, and only the people the server says can own incidents', async () => {
    const { router, calls } = renderApp(<DashboardPage />, {
      handlers: [
        http.get('/incidents', ({ response }) => response(200).json(page())),
        http.get('/users', ({ request, response }) =>
          response(200).json(
            new URL(request.url).searchParams.get('assignable') === 'true'
              ? [users.jordan, users.avery]
              : Object.values(users),
          ),
        ),
      ],
    });
    const owner = await screen.findByLabelText('Owner');
    await waitFor(() => expect(within(owner).getByRole('option', { name: 'Avery Patel' })).toBeInTheDocument());
    expect(within(owner).queryByRole('option', { name: 'Morgan Diaz' })).not.toBeInTheDocument();
    await userEvent.setup().selectOptions(owner, 'Unassigned');
    await waitFor(() => expect(router.state.location.search).toContain('assignee_id=none'));
    await waitFor(() => expect(calls.some((c) => c.path === '/incidents' && c.search.includes('assignee_id=none'))).toBe(true));
    await userEvent.setup().selectOptions(owner, 'Mine');
    await waitFor(() => expect(calls.some((c) => c.search.includes('assignee_id=me'))).toBe(true));
  });

  it('passes a creation window through and shows it as a removable chip', async () => {
    const { router, calls } = renderDashboard('/?sort=urgency&created_from=2026-03-01T00:00:00Z&created_to=2026-03-02T00:00:00Z');
    expect(await screen.findByText(/Created between 01 Mar 2026, 00:00 UTC and 02 Mar 2026, 00:00 UTC/)).toBeInTheDocument();
    await waitFor(() =>
      expect(calls.some((c) => c.search.includes('created_from=2026-03-01T00%3A00%3A00Z') && c.search.includes('created_to='))).toBe(true),
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'Remove the creation time filter' }));
    await waitFor(() => expect(router.state.location.search).not.toContain('created_'));
    expect(screen.queryByText(/Created between/)).not.toBeInTheDocument();
  });

  it('bulk acknowledges after one confirmation, with If-Match per row, and reports each row', async () => {
    const { calls } = renderApp(<DashboardPage />, {
      handlers: [
        http.get('/incidents', ({ response }) =>
          response(200).json(
            page([
              makeIncident({ id: 11, title: 'First', status: 'New', version: 3 }),
              makeIncident({ id: 12, title: 'Second', status: 'New', version: 5 }),
              makeIncident({ id: 13, title: 'Third', status: 'Mitigated', version: 2 }),
            ]),
          ),
        ),
        http.post('/incidents/{incident_id}/status', ({ params, response }) =>
          Number(params.incident_id) === 12
            ? response(409).json({ detail: 'stale', code: 'stale_version', current_version: 6 })
            : response(200).json(makeIncident({ id: Number(params.incident_id), status: 'Investigating' })),
        ),
      ],
    });
    const user = userEvent.setup();
    await screen.findByText('First');
    await user.click(screen.getByLabelText('Select all on this page'));
    expect(screen.getByText('3 incidents selected')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Acknowledge' }));
    const dialog = await screen.findByRole('dialog', { name: 'Acknowledge 3 incidents?' });
    await user.click(within(dialog).getByRole('button', { name: 'Acknowledge 3 incidents' }));
    expect(await screen.findByText('Acknowledged: 1 of 3 incidents. 1 left as it was. 1 could not be changed: see its row.')).toHaveAttribute('role', 'status');
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => [c.path, c.headers.get('If-Match'), c.body])).toEqual([
      ['/incidents/11/status', '3', { status: 'Investigating' }],
      ['/incidents/12/status', '5', { status: 'Investigating' }],
    ]);
    const row = (title: string) => screen.getByText(title).closest('tr') as HTMLElement;
    expect(row('First')).toHaveTextContent('Acknowledged.');
    expect(row('Second')).toHaveTextContent('Not changed: someone else changed this incident after the list loaded.');
    expect(row('Third')).toHaveTextContent('Already acknowledged (Mitigated): left as it is.');
  });

  it('j and k move the focus between incidents; nothing moves while typing or with shortcuts off', async () => {
    renderDashboard();
    const user = userEvent.setup();
    await screen.findByRole('table');
    const [first, second] = screen.getAllByRole('link', { name: /^INC-/ });
    await user.keyboard('j');
    expect(first).toHaveFocus();
    await user.keyboard('j');
    expect(second).toHaveFocus();
    await user.keyboard('k');
    expect(first).toHaveFocus();
    await user.click(screen.getByLabelText('Search'));
    await user.keyboard('j');
    expect(screen.getByLabelText('Search')).toHaveFocus();
    setShortcutsEnabled(false);
    try {
      (document.activeElement as HTMLElement).blur();
      await user.keyboard('j');
      expect(first).not.toHaveFocus();
    } finally {
      setShortcutsEnabled(true);
    }
  });

  it('hides the New incident action and the selection from viewers', async () => {
    renderDashboard('/', 'morgan');
    await screen.findByRole('table');
    await waitFor(() => expect(screen.queryByRole('link', { name: 'New incident' })).not.toBeInTheDocument());
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });
});
