/** The dashboard: counts, filters, the incident table and cursor paging. */
import { useCallback, useRef } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useHotkeys } from '../../../components/useHotkeys';
import { formatCount } from '../../../lib/format';
import { useAuth, useUsers } from '../../auth';
import { useServices } from '../../runbooks';
import { filtersFromSearch, useIncidentList, useOpenCounts } from '../api/list';
import { sortFrom, sortIncidents, SORTS, type SortKey } from '../sort';
import { AlertDrill } from './AlertDrill';
import { Filters, type FilterChange } from './Filters';
import { IncidentTable } from './IncidentTable';

export function DashboardPage() {
  useDocumentTitle('Dashboard');
  const auth = useAuth();
  const navigate = useNavigate();
  const [sp, setSp] = useSearchParams();
  const filters = filtersFromSearch(sp);
  const list = useIncidentList(filters);
  const counts = useOpenCounts();
  const services = useServices();
  const users = useUsers();
  const searchRef = useRef<HTMLInputElement>(null);

  useHotkeys({ '/': () => searchRef.current?.focus() });

  const onChange = useCallback(
    (change: FilterChange) => {
      setSp((prev) => {
        const next = new URLSearchParams(prev);
        for (const [key, values] of Object.entries(change)) {
          next.delete(key);
          values?.forEach((v) => next.append(key, v));
        }
        next.delete('cursor');
        next.delete('back');
        return next;
      });
    },
    [setSp],
  );

  const goToCursor = (cursor: string | null, back: string[]) => {
    const next = new URLSearchParams(sp);
    next.delete('cursor');
    next.delete('back');
    if (cursor) next.set('cursor', cursor);
    back.forEach((b) => next.append('back', b));
    setSp(next);
  };
  const back = sp.getAll('back');
  const sort = sortFrom(sp.get('sort'));
  const setSort = (value: SortKey) => {
    const next = new URLSearchParams(sp);
    if (value === 'newest') next.delete('sort');
    else next.set('sort', value);
    setSp(next, { replace: true });
  };

  return (
    <section aria-labelledby="dash-title">
      <div className="page-head">
        <h1 id="dash-title">Incidents</h1>
        {auth.canWorkIncidents && (
          <div className="actions">
            <AlertDrill />
            <Link className="button primary" to="/incidents/new" aria-keyshortcuts="n">
              New incident
            </Link>
          </div>
        )}
      </div>
      <dl className="counters" aria-label="Incident counts">
        <div className="counter">
          <dt>Open</dt>
          <dd>{counts.data ? counts.data.open : '…'}</dd>
        </div>
        <div className={`counter ${counts.data?.breached ? 'counter-breached' : ''}`}>
          <dt>
            <span aria-hidden="true">✖ </span>Breached (open)
          </dt>
          <dd>
            {counts.data ? (
              <Link
                to="/?status=New&status=Investigating&status=Mitigated&sla_state=breached"
                aria-label={`${counts.data.breachedLabel} open incidents breached an SLA target: show them`}
              >
                {counts.data.breachedLabel}
              </Link>
            ) : (
              '…'
            )}
          </dd>
        </div>
      </dl>
      <Filters
        filters={filters}
        services={services.data ?? []}
        users={users.data ?? []}
        onChange={onChange}
        searchRef={searchRef}
      />
      {list.isPending ? (
        <Loading what="incidents" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState
          action={
            auth.canWorkIncidents ? (
              <button type="button" onClick={() => navigate('/incidents/new')}>
                Declare an incident
              </button>
            ) : undefined
          }
        >
          {['status', 'severity', 'service_id', 'assignee_id', 'sla_state', 'q'].some((k) => sp.has(k))
            ? 'No incident matches these filters.'
            : 'No incidents yet. Quiet day.'}
        </EmptyState>
      ) : (
        <>
          <div className="table-head">
            <p className="muted" aria-live="polite">
              {formatCount(list.data.total, list.data.total_exact)} incident{list.data.total === 1 ? '' : 's'} match
              {list.isFetching && ' · refreshing…'}
            </p>
            <div className="field inline">
              <label htmlFor="f-sort">Sort this page</label>
              <select id="f-sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
                {Object.entries(SORTS).map(([key, label]) => (
                  <option key={key} value={key}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <IncidentTable items={sortIncidents(list.data.items, sort)} />
        </>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={!filters.cursor} onClick={() => goToCursor(null, [])}>
          Newest
        </button>
        <button
          type="button"
          disabled={!filters.cursor}
          onClick={() => goToCursor(back.at(-1) || null, back.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!list.data?.next_cursor}
          onClick={() => goToCursor(list.data?.next_cursor ?? null, [...back, filters.cursor ?? ''])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
