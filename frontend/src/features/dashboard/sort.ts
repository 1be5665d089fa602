/** Orders of the incident table. The server pages newest first; other orders sort the page shown. */
import type { Incident } from '../../api/types';

export const SORTS = {
  newest: 'Newest first',
  severity: 'Severity, worst first',
  sla: 'SLA due soonest',
} as const;
export type SortKey = keyof typeof SORTS;

export function sortFrom(value: string | null): SortKey {
  return value && value in SORTS ? (value as SortKey) : 'newest';
}

function nextDue(i: Incident): number {
  const due = i.sla.next_due_at ?? (i.acknowledged_at ? i.sla.resolve_due_at : i.sla.ack_due_at);
  return due && i.status !== 'Resolved' && i.status !== 'Closed' ? Date.parse(due) : Number.POSITIVE_INFINITY;
}

export function sortIncidents(items: Incident[], sort: SortKey): Incident[] {
  if (sort === 'newest') return items;
  const copy = [...items];
  if (sort === 'severity') copy.sort((a, b) => a.severity.localeCompare(b.severity) || b.id - a.id);
  else copy.sort((a, b) => nextDue(a) - nextDue(b) || b.id - a.id);
  return copy;
}
