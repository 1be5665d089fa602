/** The incident list as the dashboard asks for it: filters and cursor straight from the URL. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { queryKeys } from '../../../api/queryKeys';
import { formatCount } from '../../../lib/format';
import { OPEN_STATUSES, SEVERITIES, SLA_STATES, STATUSES, type Severity, type SlaState, type Status } from '../../../api/types';

export interface ListFilters {
  status: Status[];
  severity: Severity[];
  service_id: number[];
  assignee_id: number[];
  sla_state: SlaState[];
  q: string;
  cursor: string | null;
}

export const PAGE_SIZE = 25;

const ints = (values: string[]) => values.map(Number).filter((n) => Number.isInteger(n) && n > 0);

export function filtersFromSearch(sp: URLSearchParams): ListFilters {
  return {
    status: sp.getAll('status').filter((s): s is Status => (STATUSES as string[]).includes(s)),
    severity: sp.getAll('severity').filter((s): s is Severity => (SEVERITIES as string[]).includes(s)),
    service_id: ints(sp.getAll('service_id')),
    assignee_id: ints(sp.getAll('assignee_id')),
    sla_state: sp.getAll('sla_state').filter((s): s is SlaState => (SLA_STATES as string[]).includes(s)),
    q: sp.get('q') ?? '',
    cursor: sp.get('cursor'),
  };
}

export function useIncidentList(f: ListFilters) {
  return useQuery({
    queryKey: queryKeys.incidents.list(f),
    queryFn: () =>
      unwrap(
        api.GET('/incidents', {
          params: {
            query: {
              status: f.status.length ? f.status : undefined,
              severity: f.severity.length ? f.severity : undefined,
              service_id: f.service_id.length ? f.service_id : undefined,
              assignee_id: f.assignee_id.length ? f.assignee_id : undefined,
              sla_state: f.sla_state.length ? f.sla_state : undefined,
              q: f.q || undefined,
              cursor: f.cursor ?? undefined,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

/** Open incidents (New, Investigating, Mitigated) and how many of them breached an SLA target. */
export function useOpenCounts() {
  return useQuery({
    queryKey: queryKeys.incidents.openCounts(),
    queryFn: async () => {
      const status = [...OPEN_STATUSES];
      const [open, breached] = await Promise.all([
        unwrap(api.GET('/incidents', { params: { query: { status, limit: 1 } } })),
        unwrap(api.GET('/incidents', { params: { query: { status, sla_state: ['breached'], limit: 1 } } })),
      ]);
      return {
        open: formatCount(open.total, open.total_exact),
        breached: breached.total,
        breachedLabel: formatCount(breached.total, breached.total_exact),
      };
    },
    refetchInterval: 30_000,
  });
}
