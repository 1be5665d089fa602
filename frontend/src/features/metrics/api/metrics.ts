/** The metrics query, its filters taken from the URL, the previous period and links to the dashboard. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { queryKeys } from '../../../api/queryKeys';
import { SEVERITIES, STATUSES, type Severity } from '../../../api/types';

export interface MetricsFilters {
  from: string; // yyyy-mm-dd, UTC day, inclusive ('' with allTime or an open start)
  to: string; // yyyy-mm-dd, UTC day, inclusive
  allTime: boolean;
  service_id: number | null;
  severity: Severity | null;
  assignee_id: number | null;
}

const DAY_MS = 86_400_000;
/** The window the page opens on: the last 30 UTC days, today included. */
export const DEFAULT_DAYS = 30;

/** The UTC day `offsetDays` before `now` (yyyy-mm-dd). */
export const utcDay = (offsetDays: number, now = Date.now()) => new Date(now - offsetDays * DAY_MS).toISOString().slice(0, 10);

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const instant = (day: string) => `${day}T00:00:00Z`;

export function metricsFiltersFrom(sp: URLSearchParams, now = Date.now()): MetricsFilters {
  const sev = sp.get('severity');
  const id = (name: string) => {
    const n = Number(sp.get(name));
    return Number.isInteger(n) && n > 0 ? n : null;
  };
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : '');
  let from = day(sp.get('from'));
  let to = day(sp.get('to'));
  const allTime = sp.get('range') === 'all' && !from && !to;
  if (!allTime && !from && !to) {
    from = utcDay(DEFAULT_DAYS - 1, now);
    to = utcDay(0, now);
  }
  return {
    from,
    to,
    allTime,
    service_id: id('service_id'),
    severity: sev && (SEVERITIES as string[]).includes(sev) ? (sev as Severity) : null,
    assignee_id: id('assignee_id'),
  };
}

/** Days in a bounded window (both ends inclusive), or null. */
export function windowDays(f: MetricsFilters): number | null {
  if (!f.from || !f.to) return null;
  return Math.round((Date.parse(f.to) - Date.parse(f.from)) / DAY_MS) + 1;
}

/** The same filters over the period of the same length just before, or null (all time, open ends). */
export function previousPeriod(f: MetricsFilters): MetricsFilters | null {
  const days = windowDays(f);
  if (days === null || days < 1) return null;
  return { ...f, from: addDays(f.from, -days), to: addDays(f.from, -1) };
}

export function metricsQuery(f: MetricsFilters) {
  return {
    from: f.from ? instant(f.from) : undefined,
    to: f.to ? instant(addDays(f.to, 1)) : undefined,
    service_id: f.service_id ? [f.service_id] : undefined,
    severity: f.severity ? [f.severity] : undefined,
    assignee_id: f.assignee_id ? [f.assignee_id] : undefined,
  };
}

export function useMetrics(f: MetricsFilters | null) {
  return useQuery({
    queryKey: queryKeys.metrics.filtered(f),
    queryFn: () => unwrap(api.GET('/metrics', { params: { query: metricsQuery(f!) } })),
    placeholderData: keepPreviousData,
    enabled: f !== null,
  });
}

/** What a click on a chart narrows to, on top of the page's own filters. */
export interface Drill {
  from?: string; // yyyy-mm-dd, inclusive
  to?: string; // yyyy-mm-dd, inclusive
  severity?: Severity;
  service_id?: number;
  breached?: boolean;
}

/**
 * The dashboard URL (inside the console, under /ui/) listing exactly the incidents behind a bar:
 * every status (closed ones too), created in the bar's days, with the page's and the bar's filters.
 */
export function dashboardLink(f: MetricsFilters, drill: Drill): string {
  const sp = new URLSearchParams();
  for (const s of STATUSES) sp.append('status', s);
  const from = drill.from ?? f.from;
  const to = drill.to ?? f.to;
  if (from) sp.set('created_from', instant(from));
  if (to) sp.set('created_to', instant(addDays(to, 1)));
  const severity = drill.severity ?? f.severity;
  if (severity) sp.set('severity', severity);
  const service = drill.service_id ?? f.service_id;
  if (service) sp.set('service_id', String(service));
  if (f.assignee_id) sp.set('assignee_id', String(f.assignee_id));
  if (drill.breached) sp.set('sla_state', 'breached');
  return `/?${sp.toString()}`;
}

export { addDays };
