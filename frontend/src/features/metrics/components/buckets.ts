/** The breach rate over time: days grouped into periods, each rate only where enough incidents stand behind it. */
import type { DailyMetrics } from '../../../api/types';
import { MIN_SAMPLE } from './sample';

export interface BreachBucket {
  from: string; // yyyy-mm-dd, first day
  to: string; // yyyy-mm-dd, last day (inclusive)
  label: string; // "11-02" or "11-02 to 11-08"
  breached: number;
  known: number;
  /** breached / known, null below MIN_SAMPLE known outcomes ("Not enough data"). */
  rate: number | null;
}

/** Days for windows up to two weeks, weeks beyond (a day holds a handful of incidents). */
export function breachBuckets(daily: DailyMetrics[]): BreachBucket[] {
  const size = daily.length <= 14 ? 1 : 7;
  const out: BreachBucket[] = [];
  for (let i = 0; i < daily.length; i += size) {
    const days = daily.slice(i, i + size);
    const breached = days.reduce((n, d) => n + d.breached, 0);
    const known = days.reduce((n, d) => n + d.sla_known, 0);
    const from = days[0].date;
    const to = days[days.length - 1].date;
    out.push({
      from,
      to,
      label: from === to ? from.slice(5) : `${from.slice(5)} to ${to.slice(5)}`,
      breached,
      known,
      rate: known >= MIN_SAMPLE ? Math.round((breached / known) * 1000) / 1000 : null,
    });
  }
  return out;
}

/** Round ticks from 0 to just above `max` (a rate): every 5% up to 30%, every 10% beyond. */
export function percentTicks(max: number): number[] {
  const step = max > 0.3 ? 0.1 : 0.05;
  const top = Math.max(step * 2, Math.ceil((max * 1.1) / step) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Math.round(i * step * 100) / 100);
}
