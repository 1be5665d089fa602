import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Metrics } from '../../../api/types';
import { http, renderApp } from '../../../test/utils';
import MetricsPage from './MetricsPage';

const figures = {
  incident_count: 12,
  acknowledged_count: 10,
  resolved_count: 4,
  mtta_seconds: 4800,
  mtta_p50_seconds: 600,
  mtta_p90_seconds: 7200,
  mttr_seconds: 9000,
  mttr_p50_seconds: 8000,
  mttr_p90_seconds: 20000,
  mitigated_count: 6,
  mttm_seconds: 3000,
  mttm_p50_seconds: 1500,
  mttm_p90_seconds: 5400,
  breach_rate: 0.25,
  breached_count: 2,
  sla_known_count: 8,
};

const metrics: Metrics = {
  ...figures,
  breach_rate_target: 0.1,
  by_severity: [{ severity: 'SEV1', ...figures }],
  by_service: [{ service_id: 1, service_name: 'checkout-api', ...figures }],
  daily: [{ date: '2026-11-26', opened: 3, resolved: 2, breached: 1, sla_known: 6, mtta_seconds: 60, mttm_seconds: 300, mttr_seconds: 600 }],
};

/** The previous period: MTTA was 6000 s (now 4800: down 20%), breach rate 20% (now 25%: up 5 points). */
const before: Metrics = { ...metrics, mtta_seconds: 6000, breach_rate: 0.2, mttm_seconds: 3000, acknowledged_count: 9, mitigated_count: 2 };

const metricsHandler = http.get('/metrics', ({ request, response }) => {
  const from = new URL(request.url).searchParams.get('from');
  return response(200).json(from === '2026-10-02T00:00:00Z' ? before : metrics);
});

const today = () => new Date().toISOString().slice(0, 10);
const WINDOW = '/?from=2026-11-01&to=2026-11-30';

describe('MetricsPage', () => {
  it('shows MTTA, MTTR and breach rate as readable numbers with median, p90 and n', async () => {
    renderApp(<MetricsPage />, { path: WINDOW, handlers: [metricsHandler] });
    const mtta = await screen.findByRole('region', { name: 'MTTA' });
    expect(mtta).toHaveTextContent('1h 20m');
    expect(mtta).toHaveTextContent('median 10m · p90 2h · n=10');
    expect(within(mtta).queryByText(/Not enough data/)).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Breach rate' })).toHaveTextContent('25%');
    expect(screen.getByRole('region', { name: 'Breach rate' })).toHaveTextContent('target under 10%');
  });

  it('replaces a figure behind fewer than 5 incidents with "Not enough data"', async () => {
    renderApp(<MetricsPage />, { path: WINDOW, handlers: [metricsHandler] });
    const mttr = await screen.findByRole('region', { name: 'MTTR' });
    expect(mttr).toHaveTextContent('Not enough data');
    expect(mttr).toHaveTextContent('4 resolved incidents in this window; a figure needs at least 5.');
    expect(mttr).not.toHaveTextContent('2h 30m');
  });

  it('compares each headline figure with the previous period of the same length, in words', async () => {
    const { calls } = renderApp(<MetricsPage />, { path: WINDOW, handlers: [metricsHandler] });
    const mtta = await screen.findByRole('region', { name: 'MTTA' });
    await waitFor(() => expect(mtta).toHaveTextContent('down 20% from the previous 30 days (better)'));
    expect(within(mtta).getByText(/down 20%/).closest('p')).toHaveClass('better');
    const breach = screen.getByRole('region', { name: 'Breach rate' });
    expect(breach).toHaveTextContent('up 5 points from the previous 30 days (worse)');
    expect(within(breach).getByText(/up 5 points/).closest('p')).toHaveClass('worse');
    // MTTM had 2 mitigated incidents before: nothing to compare with.
    expect(screen.getByRole('region', { name: 'MTTM' })).toHaveTextContent('Not enough data in the previous 30 days to compare.');
    const previous = calls.filter((c) => c.path === '/metrics').map((c) => new URLSearchParams(c.search));
    expect(previous.some((sp) => sp.get('from') === '2026-10-02T00:00:00Z' && sp.get('to') === '2026-11-01T00:00:00Z')).toBe(true);
  });

  it('opens on the last 30 days; All time has nothing to compare with', async () => {
    const { calls, router } = renderApp(<MetricsPage />, { handlers: [metricsHandler] });
    await screen.findByRole('region', { name: 'MTTA' });
    const first = new URLSearchParams(calls.find((c) => c.path === '/metrics')!.search);
    expect(Date.parse(first.get('to')!) - Date.parse(first.get('from')!)).toBe(30 * 86_400_000);
    expect(first.get('to')!.slice(0, 10)).toBe(new Date(Date.parse(`${today()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
    await userEvent.setup().click(screen.getByRole('button', { name: 'All time' }));
    expect(new URLSearchParams(router.state.location.search).get('range')).toBe('all');
    expect(await screen.findByText('All incidents, whenever they were opened.')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'MTTA' })).toHaveTextContent('All time: no earlier period to compare with.');
  });

  it('shows MTTM beside MTTA and MTTR, and in every breakdown', async () => {
    renderApp(<MetricsPage />, { path: WINDOW, handlers: [metricsHandler] });
    const cards = await screen.findAllByRole('region', { name: /^MTT[AMR]$/ });
    expect(cards.map((c) => c.getAttribute('aria-label'))).toEqual(['MTTA', 'MTTM', 'MTTR']);
    const mttm = screen.getByRole('region', { name: 'MTTM' });
    expect(mttm).toHaveTextContent('50m');
    expect(mttm).toHaveTextContent('median 25m · p90 1h 30m · n=6');

    const user = userEvent.setup();
    const toggles = await screen.findAllByRole('button', { name: 'View as table' });
    for (const toggle of toggles) await user.click(toggle);
    const trend = screen.getByRole('table', { name: 'MTTA, MTTM and MTTR trend (minutes)' });
    expect(within(trend).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Day (UTC)', 'MTTA', 'MTTM', 'MTTR']);
    expect(within(trend).getAllByRole('row')[1]).toHaveTextContent('2026-11-261m5m10m');
    for (const name of ['By severity', 'By service']) {
      const table = screen.getByRole('table', { name });
      const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
      expect(headers.slice(-4, -1)).toEqual(['MTTA', 'MTTM', 'MTTR']);
      expect(within(table).getAllByRole('row')[1]).toHaveTextContent('1h 20m50m2h 30m');
    }
  });

  it('offers each chart as a table whose rows lead to their incidents on the dashboard', async () => {
    renderApp(<MetricsPage />, { path: `${WINDOW}&assignee_id=2`, handlers: [metricsHandler] });
    const toggles = await screen.findAllByRole('button', { name: 'View as table' });
    expect(toggles).toHaveLength(5);
    await userEvent.setup().click(toggles[0]);
    const table = await screen.findByRole('table', { name: 'Opened, resolved and breached per day' });
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('2026-11-26321');
    const link = within(table).getByRole('link', { name: 'List incidents opened on 2026-11-26' });
    const url = new URL(link.getAttribute('href')!, 'http://x');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.getAll('status')).toEqual(['New', 'Investigating', 'Mitigated', 'Resolved', 'Closed']);
    expect(url.searchParams.get('created_from')).toBe('2026-11-26T00:00:00Z');
    expect(url.searchParams.get('created_to')).toBe('2026-11-27T00:00:00Z');
    expect(url.searchParams.get('assignee_id')).toBe('2');
    expect(screen.getByRole('button', { name: 'View as chart' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('draws the breach rate against its target, and lists the breached incidents of a period', async () => {
    renderApp(<MetricsPage />, { path: `${WINDOW}&severity=SEV1`, handlers: [metricsHandler] });
    const card = (await screen.findByRole('heading', { name: 'Breach rate over time' })).closest('section')!;
    expect(card).toHaveTextContent('The dashed line is the target: under 10%.');
    await userEvent.setup().click(within(card).getByRole('button', { name: 'View as table' }));
    const row = within(within(card).getByRole('table')).getAllByRole('row')[1];
    expect(row).toHaveTextContent('2026-11-262026-11-261616.7%10%');
    const url = new URL(within(row).getByRole('link').getAttribute('href')!, 'http://x');
    expect(url.searchParams.get('sla_state')).toBe('breached');
    expect(url.searchParams.get('severity')).toBe('SEV1');
  });

  it('downloads a chart as CSV, header first', async () => {
    const blobs: Blob[] = [];
    const create = vi.fn((b: Blob) => {
      blobs.push(b);
      return 'blob:x';
    });
    Object.assign(URL, { createObjectURL: create, revokeObjectURL: vi.fn() });
    renderApp(<MetricsPage />, { path: WINDOW, handlers: [metricsHandler] });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Download CSV of By service' }));
    expect(blobs).toHaveLength(1);
    const lines = (await blobs[0].text()).trimEnd().split('\r\n');
    expect(lines).toEqual([
      'Service,Incidents,Breached,Breach rate,MTTA (seconds),MTTM (seconds),MTTR (seconds)',
      'checkout-api,12,2,0.25,4800,3000,9000',
    ]);
  });

  it('says so in words when a chart has nothing to draw', async () => {
    const empty: Metrics = {
      ...metrics,
      ...{ acknowledged_count: 0, mtta_seconds: null, mttm_seconds: null, mttr_seconds: null, mitigated_count: 0, resolved_count: 0 },
      daily: [{ date: '2026-11-26', opened: 1, resolved: 0, breached: 0, sla_known: 0, mtta_seconds: null, mttm_seconds: null, mttr_seconds: null }],
    };
    renderApp(<MetricsPage />, { path: WINDOW, handlers: [http.get('/metrics', ({ response }) => response(200).json(empty))] });
    expect(await screen.findByText(/Not enough incidents with a known SLA outcome in any period/)).toBeInTheDocument();
    expect(screen.getByText('No incident in this window has been acknowledged yet, so there is no trend to draw.')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'MTTA' })).toHaveTextContent('Not enough data');
  });

  it('sets the date range from a preset', async () => {
    const { router } = renderApp(<MetricsPage />, { handlers: [metricsHandler] });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Last 7 days' }));
    const sp = new URLSearchParams(router.state.location.search);
    expect(sp.get('to')).toBe(today());
    expect(Date.parse(sp.get('to')!) - Date.parse(sp.get('from')!)).toBe(6 * 86_400_000);
    expect(screen.getByLabelText('From (UTC day)')).toHaveValue(sp.get('from'));
  });

  it('sends the filters as the API expects them, the owner among them', async () => {
    const { calls, router } = renderApp(<MetricsPage />, {
      path: '/?from=2026-11-01&to=2026-11-26&severity=SEV1&service_id=1',
      handlers: [metricsHandler],
    });
    await screen.findByRole('region', { name: 'MTTA' });
    await userEvent.setup().selectOptions(await screen.findByLabelText('Owner'), await screen.findByRole('option', { name: 'Avery Patel' }));
    expect(new URLSearchParams(router.state.location.search).get('assignee_id')).toBe('2');
    await waitFor(() => expect(calls.some((c) => c.path === '/metrics' && c.search.includes('assignee_id=2'))).toBe(true));
    const sp = new URLSearchParams(calls.find((c) => c.path === '/metrics' && c.search.includes('assignee_id=2'))!.search);
    expect(sp.get('from')).toBe('2026-11-01T00:00:00Z');
    expect(sp.get('to')).toBe('2026-11-27T00:00:00Z');
    expect(sp.get('severity')).toBe('SEV1');
    expect(sp.get('service_id')).toBe('1');
  });
});
