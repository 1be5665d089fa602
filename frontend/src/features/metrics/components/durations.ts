/**
 * The duration metrics the console shows, each described once, as the backend describes each
 * measure once (services/metrics/measures.py): cards, trend lines and table columns map over
 * this list, so a new measure is one entry here.
 */
import type { Metrics } from '../../../api/types';
import { formatMaybeDuration } from '../../../lib/format';

export interface Duration {
  key: 'mtta' | 'mttm' | 'mttr';
  title: string;
  hint: string;
  count: 'acknowledged_count' | 'mitigated_count' | 'resolved_count';
  /** What `count` counts, singular and plural. */
  unit: readonly [string, string];
  color: string;
  dash?: string;
}

export const DURATIONS: readonly Duration[] = [
  { key: 'mtta', title: 'MTTA', hint: 'Mean time to acknowledge: created → first move out of New', count: 'acknowledged_count', unit: ['acknowledged incident', 'acknowledged incidents'], color: '#6d28d9' },
  { key: 'mttm', title: 'MTTM', hint: 'Mean time to mitigate: created → Mitigated (impact stopped)', count: 'mitigated_count', unit: ['mitigated incident', 'mitigated incidents'], color: '#0e7490', dash: '2 3' },
  { key: 'mttr', title: 'MTTR', hint: 'Mean time to resolve: created → Resolved', count: 'resolved_count', unit: ['resolved incident', 'resolved incidents'], color: '#b45309', dash: '6 3' },
];

type Means = Record<`${Duration['key']}_seconds`, number | null>;

export const mean = (f: Means, d: Duration) => f[`${d.key}_seconds`];
export const p50 = (f: Metrics, d: Duration) => f[`${d.key}_p50_seconds`];
export const p90 = (f: Metrics, d: Duration) => f[`${d.key}_p90_seconds`];

/** One table column per duration, for any row that carries the means (a day, a severity, a service). */
export function durationColumns<T extends Means>() {
  return DURATIONS.map((d) => ({
    header: d.title,
    csvHeader: `${d.title} (seconds)`,
    value: (row: T) => mean(row, d),
    cell: (row: T) => formatMaybeDuration(mean(row, d)),
  }));
}
