import { drillMessage } from './AlertDrill';

const alert = (fingerprint: string, summary: string) => ({
  fingerprint,
  summary,
  incident_id: 1,
  outcome: 'created',
  service: 'checkout',
  severity: 'SEV2',
});

describe('drillMessage', () => {
  it('counts a re-sent alert instead of repeating it, with plurals right', () => {
    const result = {
      seed: 1,
      alerts: [alert('a', 'checkout: p99 latency above 3s'), alert('b', 'x'), alert('a', 'checkout: p99 latency above 3s'), alert('a', 'checkout: p99 latency above 3s')],
      created_incident_ids: [7],
      attached_incident_ids: [3, 4],
    };
    expect(drillMessage(result, 1)).toBe(
      'Drill sent 4 alerts: 1 new incident, 2 open incidents updated. "checkout: p99 latency above 3s" received 3 times.',
    );
  });
  it('says which drill this is from the second on, so a repeat never reads the same', () => {
    const result = { seed: 2, alerts: [alert('a', 'x')], created_incident_ids: [], attached_incident_ids: [5] };
    expect(drillMessage(result, 1)).toBe('Drill sent 1 alert: 1 open incident updated.');
    expect(drillMessage(result, 3)).toBe('Drill sent 1 alert (drill 3 of this session): 1 open incident updated.');
  });
});
