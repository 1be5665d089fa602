import { makeIncident } from '../../test/utils';
import { sortFrom, sortIncidents } from './sort';

describe('sortIncidents', () => {
  const soon = new Date(Date.now() + 60_000).toISOString();
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const a = makeIncident({ id: 1, severity: 'SEV3', sla: { ...makeIncident().sla, next_due_at: soon } });
  const b = makeIncident({ id: 2, severity: 'SEV1', sla: { ...makeIncident().sla, next_due_at: later } });
  const c = makeIncident({ id: 3, severity: 'SEV2', status: 'Resolved', sla: { ...makeIncident().sla, state: 'met', next_due_at: null } });
  // Open, and the server says a target is already past due: the most urgent of all.
  const d = makeIncident({ id: 4, severity: 'SEV4', status: 'Investigating', sla: { ...makeIncident().sla, breached: true, state: 'breached', next_due_at: later } });

  it('keeps the server order for newest', () => {
    expect(sortIncidents([c, b, a], 'newest').map((i) => i.id)).toEqual([3, 2, 1]);
  });
  it('puts the worst severity first', () => {
    expect(sortIncidents([c, b, a], 'severity').map((i) => i.id)).toEqual([2, 3, 1]);
  });
  it('puts the soonest due first and finished incidents last', () => {
    expect(sortIncidents([c, b, a], 'sla').map((i) => i.id)).toEqual([1, 2, 3]);
  });
  it('puts open incidents the server calls breached before any countdown', () => {
    expect(sortIncidents([c, b, a, d], 'sla').map((i) => i.id)).toEqual([4, 1, 2, 3]);
  });
  it('falls back to newest for unknown values', () => {
    expect(sortFrom('bogus')).toBe('newest');
    expect(sortFrom('sla')).toBe('sla');
  });
});
