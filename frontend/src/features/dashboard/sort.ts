/** Orders of the incident table. The server pages newest first; other orders sort the page shown. */
import { OPEN_STATUSES, type Incident } from '../../api/types';

export const SORTS = {
  newest: 'Newest first',
  severity: 'Severity, worst first',
  sla: 'SLA due soonest',
} as const;
export type SortKey = keyof typeof SORTS;

export function sortFrom(value: string | null): SortKey {
  return value && value in SORTS ? (value as SortKey) : 'newest';
}

/**
 * Open incidents the server calls breached first (a target is already overdue), then by the
 * server's next due time; those with nothing left due (finished) last. No SLA rule here: only
 * the server's `breached` and `next_due_at`.
 */
function dueRank(i: Incident): [number, number] {
  const overdue = i.sla.breached && OPEN_STATUSES.includes(i.status) ? 0 : 1;
  return [overdue, i.sla.next_due_at ? Date.parse(i.sla.next_due_at) : Number.POSITIVE_INFINITY];
}

function byDue(a: Incident, b: Incident): number {
  const [ra, rb] = [dueRank(a), dueRank(b)];
  return ra[0] - rb[0] || (ra[1] === rb[1] ? 0 : ra[1] < rb[1] ? -1 : 1);
}

export function sortIncidents(items: Incident[], sort: SortKey): Incident[] {
  if (sort === 'newest') return items;
  const copy = [...items];
  if (sort === 'severity') copy.sort((a, b) => a.severity.localeCompare(b.severity) || b.id - a.id);
  else copy.sort((a, b) => byDue(a, b) || b.id - a.id);
  return copy;
}
