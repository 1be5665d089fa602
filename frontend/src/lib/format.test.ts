import {
  formatAbsolute,
  formatCount,
  formatDuration,
  formatMaybeDuration,
  formatPercent,
  formatRelative,
  formatUtc,
  formatWait,
  incidentRef,
  pluralize,
} from './format';
import { metMargin, slaView } from './sla';

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
  it('absolute times are shown in the chosen zone, UTC with seconds for hovering', () => {
    expect(formatAbsolute('2026-11-27T14:02:00Z', 'Asia/Tokyo')).toMatch(/23:02 GMT\+9/);
    expect(formatAbsolute('2026-07-01T14:02:00Z', 'America/New_York')).toMatch(/10:02 GMT-4/);
    expect(formatUtc('2026-11-27T14:02:05Z')).toMatch(/14:02:05 UTC/);
  });
});

describe('pluralize and formatWait', () => {
  it('puts the noun in the form its count needs', () => {
    expect(pluralize(1, 'alert')).toBe('1 alert');
    expect(pluralize(0, 'alert')).toBe('0 alerts');
    expect(pluralize(1204, 'incident')).toBe('1,204 incidents');
    expect(pluralize(2, 'person', 'people')).toBe('2 people');
  });
  it('says waits in whole minutes', () => {
    expect(formatWait(1)).toBe('1 minute');
    expect(formatWait(60)).toBe('1 minute');
    expect(formatWait(281)).toBe('5 minutes');
  });
});

describe('slaView', () => {
  // The server's SLA as it answers at 10:00 for an incident created at 09:00 (SEV3-like targets).
  const now = Date.parse('2026-11-27T10:00:00Z');
  const base = {
    ack_due_at: '2026-11-27T11:20:00Z',
    resolve_due_at: '2026-11-27T14:00:00Z',
    ack_breached: false,
    resolve_breached: false,
    breached: false,
    state: 'on_track' as const,
    next_due_at: '2026-11-27T11:20:00Z',
    calendar_id: null,
    paused_at: null,
    paused_reason: null,
    paused_seconds: 0,
  };
  it('counts down to the ack due time while New', () => {
    expect(slaView(base, now)).toMatchObject({ label: 'Ack due in 1h 20m', target: 'ack', state: 'on_track' });
  });
  it('counts down to resolve once acknowledged', () => {
    const v = slaView({ ...base, next_due_at: base.resolve_due_at }, now);
    expect(v.label).toBe('Resolve due in 4h');
    expect(v.target).toBe('resolve');
  });
  it('says how long ago it breached', () => {
    // Ack was due at 09:48 and nobody acknowledged: the server says breached; resolve is next.
    const sla = { ...base, ack_due_at: '2026-11-27T09:48:00Z', ack_breached: true, breached: true, state: 'breached' as const };
    const v = slaView({ ...sla, next_due_at: base.resolve_due_at }, now);
    expect(v).toMatchObject({ state: 'breached', label: 'Breached 12m ago', next: 'Resolve due in 4h' });
    expect(slaView({ ...sla, next_due_at: null }, now)).toMatchObject({ state: 'breached', label: 'Breached 12m ago', next: null });
  });
  it('reports met once resolved, with the margin when the resolve time is known', () => {
    const met = { ...base, state: 'met' as const, next_due_at: null };
    expect(slaView(met, now)).toMatchObject({ state: 'met', label: 'Met' });
    // Resolved at 13:50:29, due at 14:00: no frozen countdown, the margin it was met by.
    expect(slaView(met, now, '2026-11-27T13:50:29Z')).toMatchObject({ state: 'met', label: '9m 31s to spare' });
    expect(metMargin(met, '2026-11-27T14:00:00Z')).toBe('right on time');
    expect(metMargin({ ...met, state: 'on_track' }, '2026-11-27T13:50:29Z')).toBeNull();
  });
  it('says why a paused clock stands still, with no countdown', () => {
    const paused = { ...base, state: 'paused' as const, next_due_at: null, paused_at: '2026-11-27T09:00:00Z', paused_reason: 'waiting on the vendor' };
    expect(slaView(paused, now)).toMatchObject({ state: 'paused', label: 'Paused: waiting on the vendor', next: null });
  });
  it("takes the state from the server, never from the clock", () => {
    // At risk because the server says so (its rule, not the console's), whatever the countdown says.
    expect(slaView({ ...base, state: 'at_risk' }, now)).toMatchObject({ state: 'at_risk', label: 'Ack due in 1h 20m' });
    // The due time passed before the server's next answer: the text says so, the state waits.
    const passing = { ...base, ack_due_at: '2026-11-27T09:59:30Z', next_due_at: '2026-11-27T09:59:30Z' };
    expect(slaView(passing, now)).toMatchObject({ state: 'on_track', label: 'Ack due now' });
    const passed = { ...base, ack_due_at: '2026-11-27T09:55:00Z', next_due_at: '2026-11-27T09:55:00Z' };
    expect(slaView(passed, now)).toMatchObject({
      state: 'on_track',
      label: 'Ack overdue by 5m',
    });
  });
  it('shows the state word when nothing is due and nothing breached', () => {
    expect(slaView({ ...base, next_due_at: null }, now)).toMatchObject({ state: 'on_track', label: 'On track', dueAt: null });
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

describe('incidentRef', () => {
  it('is the reference people use, not a cache key', () => {
    expect(incidentRef(7)).toBe('INC-7');
  });
});
