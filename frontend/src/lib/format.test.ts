import { formatCount, formatDuration, formatPercent, formatRelative, formatAbsolute, formatMaybeDuration } from './format';
import { slaView } from './sla';

describe('formatDuration', () => {
  it('uses at most two units', () => {
    expect(formatDuration(4800)).toBe('1h 20m');
    expect(formatDuration(90061)).toBe('1d 1h');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(3605)).toBe('1h');
    expect(formatDuration(0)).toBe('0s');
  });
  it('shows a dash for missing values', () => {
    expect(formatMaybeDuration(null)).toBe('—');
  });
});

describe('formatPercent', () => {
  it('renders ratios as percentages', () => {
    expect(formatPercent(0.25)).toBe('25%');
    expect(formatPercent(0.3333)).toBe('33.3%');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('times', () => {
  it('relative times read naturally', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(formatRelative('2026-11-27T09:48:00Z', now)).toBe('12m ago');
    expect(formatRelative('2026-11-27T10:05:00Z', now)).toBe('in 5m');
    expect(formatRelative('2026-11-27T09:59:50Z', now)).toBe('just now');
  });
  it('absolute times carry the zone', () => {
    expect(formatAbsolute('2026-11-27T14:02:00Z')).toMatch(/14:02 UTC/);
  });
});

describe('slaView', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');
  const base = {
    status: 'New' as const,
    acknowledged_at: null,
    resolved_at: null,
    sla: {
      ack_due_at: '2026-11-27T11:20:00Z',
      resolve_due_at: '2026-11-27T14:00:00Z',
      ack_breached: false,
      resolve_breached: false,
      breached: false,
      state: 'on_track' as const,
      next_due_at: null,
    },
  };
  it('counts down to the ack due time while New', () => {
    expect(slaView(base, now)).toMatchObject({ label: 'Ack due in 1h 20m', target: 'ack', state: 'on_track' });
  });
  it('counts down to resolve once acknowledged', () => {
    const v = slaView({ ...base, status: 'Investigating', acknowledged_at: '2026-11-27T09:00:00Z' }, now);
    expect(v.label).toBe('Resolve due in 4h');
  });
  it('says how long ago it breached', () => {
    const v = slaView({ ...base, sla: { ...base.sla, ack_due_at: '2026-11-27T09:48:00Z' } }, now);
    expect(v).toMatchObject({ state: 'breached', label: 'Breached 12m ago' });
  });
  it('reports met once resolved', () => {
    const v = slaView({ ...base, status: 'Resolved', sla: { ...base.sla, state: 'met' } }, now);
    expect(v).toMatchObject({ state: 'met', label: 'Met' });
  });
});

describe('formatCount', () => {
  it('writes exact counts in full and estimates as "about" three figures', () => {
    expect(formatCount(7, true)).toBe('7');
    expect(formatCount(1204, true)).toBe('1,204');
    expect(formatCount(11257, false)).toBe('about 11,300');
    expect(formatCount(987654, false)).toBe('about 988,000');
  });
});
