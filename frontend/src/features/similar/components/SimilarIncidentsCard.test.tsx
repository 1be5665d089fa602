import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, makeIncident, renderApp } from '../../../test/utils';
import type { SimilarIncident } from '../api/similar';
import { SimilarIncidentsCard, closeness } from './SimilarIncidentsCard';

const longCause =
  'A connection pool sized for last year\'s traffic saturated under the evening peak, and the retry storm that followed kept it saturated for forty minutes after the traffic itself had dropped back.';

function item(overrides: Partial<SimilarIncident> = {}): SimilarIncident {
  const { id, title, description, impact, severity, status, service_id, service_name, assignee_id, assignee_name,
    created_at, acknowledged_at, mitigated_at, resolved_at, closed_at, version, allowed_transitions, close_blockers, sla } =
    makeIncident({ id: 3, title: 'Checkout p99 latency above 5s', status: 'Closed' });
  return {
    incident: { id, title, description, impact, severity, status, service_id, service_name, assignee_id, assignee_name,
      created_at, acknowledged_at, mitigated_at, resolved_at, closed_at, version, allowed_transitions, close_blockers, sla },
    score: 0.82,
    root_cause: longCause,
    corrective_actions: 'Raised the pool size.',
    ...overrides,
  };
}

function renderCard(items: SimilarIncident[]) {
  return renderApp(<SimilarIncidentsCard incidentId={7} />, {
    handlers: [http.get('/incidents/{incident_id}/similar', ({ response }) => response(200).json({ items }))],
  });
}

describe('SimilarIncidentsCard', () => {
  it('lists each past incident with a link, its state, closeness and what was learnt', async () => {
    renderCard([item(), item({ incident: { ...item().incident, id: 2, title: 'Checkout slow' }, score: 0.31, root_cause: null, corrective_actions: null })]);
    const list = await screen.findByRole('list');
    const [first, second] = within(list).getAllByRole('listitem');
    expect(within(first).getByRole('link', { name: 'INC-3 · Checkout p99 latency above 5s' })).toHaveAttribute('href', '/incidents/3');
    expect(first).toHaveTextContent('Closed');
    expect(first).toHaveTextContent('SEV2');
    expect(first).toHaveTextContent('Very close (82%)');
    expect(first).toHaveTextContent('Corrective actions: Raised the pool size.');
    expect(first).not.toHaveTextContent('dropped back');
    await userEvent.click(within(first).getByRole('button', { name: 'more of the root cause' }));
    expect(first).toHaveTextContent('had dropped back.');
    expect(within(first).getByRole('button', { name: 'less of the root cause' })).toHaveAttribute('aria-expanded', 'true');
    expect(second).toHaveTextContent('Somewhat alike (31%)');
    expect(second).toHaveTextContent('No RCA was written.');
    expect(screen.getByText(/2 earlier incidents/)).toBeInTheDocument();
  });

  it('says so when nothing earlier looks alike', async () => {
    renderCard([]);
    expect(await screen.findByText('No earlier incident looks like this one.')).toBeInTheDocument();
  });

  it('puts scores into words', () => {
    expect([0.9, 0.6, 0.35, 0.1].map(closeness)).toEqual(['Very close', 'Close', 'Somewhat alike', 'Loosely alike']);
  });
});
