/** The metrics query, its filters taken from the URL. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { queryKeys } from '../../../api/queryKeys';
import { SEVERITIES, type Severity } from '../../../api/types';

export interface MetricsFilters {
  from: string; // yyyy-mm-dd, UTC day, inclusive
  to: string; // yyyy-mm-dd, UTC day, inclusive
  service_id: number | null;
  severity: Severity | null;
}

export function metricsFiltersFrom(sp: URLSearchParams): MetricsFilters {
  const sev = sp.get('severity');
  const svc = Number(sp.get('service_id'));
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : '');
  return {
    from: day(sp.get('from')),
    to: day(sp.get('to')),
    service_id: Number.isInteger(svc) && svc > 0 ? svc : null,
    severity: sev && (SEVERITIES as string[]).includes(sev) ? (sev as Severity) : null,
  };
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace('.000Z', 'Z');
}

export function metricsQuery(f: MetricsFilters) {
  return {
    from: f.from ? `${f.from}T00:00:00Z` : undefined,
    to: f.to ? nextDay(f.to) : undefined,
    service_id: f.service_id ? [f.service_id] : undefined,
    severity: f.severity ? [f.severity] : undefined,
  };
}

export function useMetrics(f: MetricsFilters) {
  return useQuery({
    queryKey: queryKeys.metrics.filtered(f),
    queryFn: () => unwrap(api.GET('/metrics', { params: { query: metricsQuery(f) } })),
    placeholderData: keepPreviousData,
  });
}
