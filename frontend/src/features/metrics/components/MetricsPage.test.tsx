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
  by_severity: [{ severity: 'SEV1', ...figures }],
  by_service: [{ service_id: 1, service_name: 'checkout-api', ...figures }],
  daily: [{ date: '2026-11-26', opened: 3, resolved: 2, breached: 1, mtta_seconds: 60, mttm_seconds: 300, mttr_seconds: 600 }],
};

const metricsHandler = http.get('/metrics', ({ response }) => response(200).json(metrics));

describe('MetricsPage', () => {
  it('shows MTTA, MTTR and breach rate as readable numbers with median, p90 and n', async () => {
    renderApp(<MetricsPage />, { handlers: [metricsHandler] });
    const mtta = await screen.findByRole('region', { name: 'MTTA' });
    expect(mtta).toHaveTextContent('1h 20m');
    expect(mtta).toHaveTextContent('median 10m · p90 2h · n=10');
    const mttr = screen.getByRole('region', { name: 'MTTR' });
    expect(mttr).toHaveTextContent('2h 30m');
    expect(mttr).toHaveTextContent('Not enough data (n=4, fewer than 5)');
    expect(within(mtta).queryByText(/Not enough data/)).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Breach rate' })).toHaveTextContent('25%');
  });

  it('shows MTTM beside MTTA and MTTR, and in every breakdown', async () => {
    renderApp(<MetricsPage />, { handlers: [metricsHandler] });
    const cards = await screen.findAllByRole('region', { name: /^MTT[AMR]$/ });
    expect(cards.map((c) => c.getAttribute('aria-label'))).toEqual(['MTTA', 'MTTM', 'MTTR']);
    const mttm = screen.getByRole('region', { name: 'MTTM' });
    expect(mttm).toHaveTextContent('50m');
    expect(mttm).toHaveTextContent('median 25m · p90 1h 30m · n=6');
    expect(within(mttm).queryByText(/Not enough data/)).not.toBeInTheDocument();

    const user = userEvent.setup();
    const toggles = await screen.findAllByRole('button', { name: 'View as table' });
    for (const toggle of toggles) await user.click(toggle);
    const trend = screen.getByRole('table', { name: 'MTTA, MTTM and MTTR trend (minutes)' });
    expect(within(trend).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Day (UTC)', 'MTTA', 'MTTM', 'MTTR']);
    expect(within(trend).getAllByRole('row')[1]).toHaveTextContent('2026-11-261m5m10m');
    for (const name of ['By severity', 'By service']) {
      const table = screen.getByRole('table', { name });
      const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
      expect(headers.slice(-3)).toEqual(['MTTA', 'MTTM', 'MTTR']);
      expect(within(table).getAllByRole('row')[1]).toHaveTextContent('1h 20m50m2h 30m');
    }
  });

  it('offers each chart as a table', async () => {
    renderApp(<MetricsPage />, { handlers: [metricsHandler] });
    const toggles = await screen.findAllByRole('button', { name: 'View as table' });
    expect(toggles).toHaveLength(4);
    await userEvent.setup().click(toggles[0]);
    const table = await screen.findByRole('table', { name: 'Opened, resolved and breached per day' });
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('2026-11-26321');
    expect(screen.getByRole('button', { name: 'View as chart' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('sets the date range from a preset', async () => {
    const { router } = renderApp(<MetricsPage />, { handlers: [metricsHandler] });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Last 7 days' }));
    const sp = new URLSearchParams(router.state.location.search);
    expect(sp.get('to')).toBe(new Date().toISOString().slice(0, 10));
    expect(Date.parse(sp.get('to')!) - Date.parse(sp.get('from')!)).toBe(6 * 86_400_000);
    expect(screen.getByLabelText('From (UTC day)')).toHaveValue(sp.get('from'));
  });

  it('sends the filters as the API expects them', async () => {
    const { calls } = renderApp(<MetricsPage />, {
      path: '/?from=2026-11-01&to=2026-11-26&severity=SEV1&service_id=1',
      handlers: [metricsHandler],
    });
    await screen.findByRole('region', { name: 'MTTA' });
    await waitFor(() => expect(calls.some((c) => c.path === '/metrics')).toBe(true));
    const sp = new URLSearchParams(calls.find((c) => c.path === '/metrics')!.search);
    expect(sp.get('from')).toBe('2026-11-01T00:00:00Z');
    expect(sp.get('to')).toBe('2026-11-27T00:00:00Z');
    expect(sp.get('severity')).toBe('SEV1');
    expect(sp.get('service_id')).toBe('1');
  });
});
