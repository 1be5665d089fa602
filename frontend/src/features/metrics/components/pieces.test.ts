import type { DailyMetrics } from '../../../api/types';
import { dashboardLink, metricsFiltersFrom, previousPeriod } from '../api/metrics';
import { breachBuckets, percentTicks } from './buckets';
import { compare } from './change';
import { csvFileName, toCsv } from './csv';

const day = (date: string, breached: number, sla_known: number): DailyMetrics => ({
  date, opened: sla_known, resolved: 0, breached, sla_known, mtta_seconds: null, mttm_seconds: null, mttr_seconds: null,
});

describe('compare', () => {
  it('says which way a duration moved, and that lower is better', () => {
    expect(compare({ value: 88, n: 9 }, { value: 100, n: 7 }, 'duration', 30)).toEqual({ verdict: 'better', text: 'down 12% from the previous 30 days' });
    expect(compare({ value: 130, n: 9 }, { value: 100, n: 7 }, 'duration', 1)).toEqual({ verdict: 'worse', text: 'up 30% from the previous day' });
    expect(compare({ value: 100.2, n: 9 }, { value: 100, n: 7 }, 'duration', 7)?.verdict).toBe('same');
  });
  it('moves rates in points', () => {
    expect(compare({ value: 0.15, n: 20 }, { value: 0.1, n: 20 }, 'rate', 7)?.text).toBe('up 5 points from the previous 7 days');
    expect(compare({ value: 0.09, n: 20 }, { value: 0.1, n: 20 }, 'rate', 7)?.text).toBe('down 1 point from the previous 7 days');
  });
  it('compares nothing behind fewer than 5 incidents', () => {
    expect(compare({ value: 88, n: 4 }, { value: 100, n: 7 }, 'duration', 30)).toBeNull();
    expect(compare({ value: 88, n: 9 }, { value: null, n: 0 }, 'duration', 30)).toBeNull();
  });
});

describe('breachBuckets', () => {
  it('keeps days for two weeks or less, with a rate only behind 5 known outcomes', () => {
    const b = breachBuckets([day('2026-11-01', 1, 5), day('2026-11-02', 1, 2)]);
    expect(b.map((x) => [x.label, x.rate])).toEqual([['11-01', 0.2], ['11-02', null]]);
  });
  it('ticks the rate axis at round percentages above the highest bar or the target', () => {
    expect(percentTicks(0.22)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25]);
    expect(percentTicks(0)).toEqual([0, 0.05, 0.1]);
    expect(percentTicks(0.45)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });
  it('groups longer windows into weeks', () => {
    const days = Array.from({ length: 15 }, (_, i) => day(`2026-11-${String(i + 1).padStart(2, '0')}`, i % 2, 2));
    const b = breachBuckets(days);
    expect(b.map((x) => [x.from, x.to, x.breached, x.known])).toEqual([
      ['2026-11-01', '2026-11-07', 3, 14], ['2026-11-08', '2026-11-14', 4, 14], ['2026-11-15', '2026-11-15', 0, 2],
    ]);
    expect(b[0].label).toBe('11-01 to 11-07');
  });
});

describe('csv', () => {
  it('writes a header row and quotes what needs quoting', () => {
    expect(toCsv(['a', 'b'], [['x,y', 1], ['say "hi"', null]])).toBe('a,b\r\n"x,y",1\r\n"say ""hi""",\r\n');
    expect(csvFileName('MTTA, MTTM and MTTR trend (minutes)')).toBe('metrics-mtta-mttm-and-mttr-trend-minutes.csv');
  });
});

describe('filters', () => {
  it('defaults to the last 30 days and compares with the 30 before', () => {
    const f = metricsFiltersFrom(new URLSearchParams(''), Date.parse('2026-11-28T12:00:00Z'));
    expect([f.from, f.to, f.allTime]).toEqual(['2026-10-30', '2026-11-28', false]);
    const p = previousPeriod(f)!;
    expect([p.from, p.to]).toEqual(['2026-09-30', '2026-10-29']);
    expect(previousPeriod(metricsFiltersFrom(new URLSearchParams('range=all')))).toBeNull();
  });
  it('links a bar to exactly its incidents on the dashboard', () => {
    const f = metricsFiltersFrom(new URLSearchParams('from=2026-11-01&to=2026-11-30&service_id=3&assignee_id=2'));
    const url = new URLSearchParams(dashboardLink(f, { severity: 'SEV2', breached: true }).slice(2));
    expect(url.get('created_from')).toBe('2026-11-01T00:00:00Z');
    expect(url.get('created_to')).toBe('2026-12-01T00:00:00Z');
    expect([url.get('severity'), url.get('service_id'), url.get('assignee_id'), url.get('sla_state')]).toEqual(['SEV2', '3', '2', 'breached']);
  });
});
