/** The incident list as the dashboard asks for it: filters, order and cursor straight from the URL. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { queryKeys } from '../../../api/queryKeys';
import type { components } from '../../../api/schema';
import { formatCount } from '../../../lib/format';
import { OPEN_STATUSES, SEVERITIES, SLA_STATES, STATUSES, type Severity, type SlaState, type Status } from '../../../api/types';

export type SortKey = components['schemas']['IncidentSort'];

/** The orders the server offers, as the sort control names them. */
export const SORTS: Record<SortKey, string> = {
  urgency: 'Urgency',
  newest: 'Newest',
  severity: 'Severity',
  due: 'Due soonest',
};

/** What the dashboard opens on: open incidents, most urgent first. */
export const DEFAULT_SEARCH = new URLSearchParams([...OPEN_STATUSES.map((s) => ['status', s]), ['sort', 'urgency']]);

/** An owner in the URL: a user id, `me` (whoever is signed in) or `none` (nobody owns it). */
export type Owner = number | 'me' | 'none';

export interface ListFilters {
  status: Status[];
  severity: Severity[];
  service_id: number[];
  assignee_id: Owner[];
  sla_state: SlaState[];
  q: string;
  created_from: string | null;
  created_to: string | null;
  sort: SortKey;
  cursor: string | null;
}

/** The URL parameters that narrow the list (everything but order and paging). */
export const FILTER_PARAMS = ['status', 'severity', 'service_id', 'assignee_id', 'sla_state', 'q', 'created_from', 'created_to'] as const;

export const PAGE_SIZE = 25;

const ints = (values: string[]) => values.map(Number).filter((n) => Number.isInteger(n) && n > 0);
const owners = (values: string[]): Owner[] =>
  values.flatMap((v): Owner[] => (v === 'me' || v === 'none' ? [v] : ints([v])));
const isoTime = (value: string | null) => (value && !Number.isNaN(Date.parse(value)) ? value : null);

export function filtersFromSearch(sp: URLSearchParams): ListFilters {
  const sort = sp.get('sort');
  return {
    status: sp.getAll('status').filter((s): s is Status => (STATUSES as string[]).includes(s)),
    severity: sp.getAll('severity').filter((s): s is Severity => (SEVERITIES as string[]).includes(s)),
    service_id: ints(sp.getAll('service_id')),
    assignee_id: owners(sp.getAll('assignee_id')),
    sla_state: sp.getAll('sla_state').filter((s): s is SlaState => (SLA_STATES as string[]).includes(s)),
    q: sp.get('q') ?? '',
    created_from: isoTime(sp.get('created_from')),
    created_to: isoTime(sp.get('created_to')),
    sort: sort && sort in SORTS ? (sort as SortKey) : 'urgency',
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
              created_from: f.created_from ?? undefined,
              created_to: f.created_to ?? undefined,
              sort: f.sort,
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

/** The people who can own incidents (active responders and admins), as the server says. */
export function useAssignableUsers() {
  return useQuery({
    queryKey: queryKeys.assignableUsers(),
    queryFn: () => unwrap(api.GET('/users', { params: { query: { assignable: true } } })),
    staleTime: 5 * 60_000,
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
