/** The dashboard: counts, filters, the server-ordered incident list, bulk triage and cursor paging. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { Incident } from '../../../api/types';
import { EmptyState, ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useHotkeys } from '../../../components/useHotkeys';
import { formatCount } from '../../../lib/format';
import { useAuth } from '../../auth';
import { useServices } from '../../runbooks';
import { BULK_ACTIONS, useBulkTriage, type BulkAction, type RowResult } from '../api/bulk';
import {
  DEFAULT_SEARCH,
  FILTER_PARAMS,
  filtersFromSearch,
  SORTS,
  useAssignableUsers,
  useIncidentList,
  useOpenCounts,
  type SortKey,
} from '../api/list';
import { PHONE, useMediaQuery } from '../useMediaQuery';
import { AlertDrill } from './AlertDrill';
import { BulkBar } from './BulkBar';
import { Filters, type FilterChange } from './Filters';
import { IncidentCards } from './IncidentCards';
import { IncidentTable } from './IncidentTable';
import './Dashboard.css';

const CAPTIONS: Record<SortKey, string> = {
  urgency: 'Incidents, most urgent first',
  newest: 'Incidents, newest first',
  severity: 'Incidents, most severe first',
  due: 'Incidents, SLA due soonest first',
};

const plural = (n: number) => `${n} incident${n === 1 ? '' : 's'}`;

function summary(action: BulkAction, results: Map<number, RowResult>): string {
  const all = [...results.values()];
  const done = all.filter((r) => r.outcome === 'done').length;
  const failed = all.filter((r) => r.outcome === 'failed').length;
  const skipped = all.length - done - failed;
  const parts = [`${BULK_ACTIONS[action].done}: ${done} of ${plural(all.length)}.`];
  if (skipped) parts.push(`${skipped} left as ${skipped === 1 ? 'it was' : 'they were'}.`);
  if (failed) parts.push(`${failed} could not be changed: see ${failed === 1 ? 'its row' : 'their rows'}.`);
  return parts.join(' ');
}

/** The incident links of the list, in the order shown (j/k move between them). */
function incidentLinks(root: HTMLElement | null): HTMLAnchorElement[] {
  return root ? [...root.querySelectorAll<HTMLAnchorElement>('a.incident-link')] : [];
}

export function DashboardPage() {
  useDocumentTitle('Dashboard');
  const auth = useAuth();
  const navigate = useNavigate();
  const [urlSp, setSp] = useSearchParams();
  // A bare dashboard URL opens on the default view: open incidents, most urgent first.
  const bare = urlSp.toString() === '';
  const sp = bare ? DEFAULT_SEARCH : urlSp;
  useEffect(() => {
    if (bare) setSp(new URLSearchParams(DEFAULT_SEARCH), { replace: true });
  }, [bare, setSp]);
  const filters = filtersFromSearch(sp);
  const list = useIncidentList(filters);
  const counts = useOpenCounts();
  const services = useServices();
  const users = useAssignableUsers();
  const phone = useMediaQuery(PHONE);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const bulk = useBulkTriage();
  // What is selected, for the view (filters, order, page) it was chosen in: another view starts empty.
  const view = sp.toString();
  const [chosen, setChosen] = useState<{ view: string; ids: ReadonlySet<number> }>({ view, ids: new Set() });
  const selected = chosen.view === view ? chosen.ids : new Set<number>();
  const setSelected = (update: (prev: ReadonlySet<number>) => ReadonlySet<number>) =>
    setChosen((prev) => ({ view, ids: update(prev.view === view ? prev.ids : new Set()) }));
  const [outcome, setOutcome] = useState<{ results: Map<number, RowResult>; text: string } | null>(null);

  const moveFocus = (step: 1 | -1) => {
    const links = incidentLinks(listRef.current);
    if (links.length === 0) return;
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = at === -1 ? (step === 1 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
    links[next].scrollIntoView?.({ block: 'nearest' });
  };
  useHotkeys({
    '/': () => searchRef.current?.focus(),
    j: () => moveFocus(1),
    k: () => moveFocus(-1),
  });

  const onChange = useCallback(
    (change: FilterChange) => {
      setSp((prev) => {
        const next = new URLSearchParams(prev.toString() === '' ? DEFAULT_SEARCH : prev);
        for (const [key, values] of Object.entries(change)) {
          next.delete(key);
          values?.forEach((v) => next.append(key, v));
        }
        // The order stays in the URL, so clearing every filter shows everything, not the default view.
        if (!next.has('sort')) next.set('sort', filtersFromSearch(prev).sort);
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
  const setSort = (value: SortKey) => {
    const next = new URLSearchParams(sp);
    next.set('sort', value);
    next.delete('cursor');
    next.delete('back');
    setSp(next);
  };

  const items = list.data?.items ?? [];
  const selectedItems = items.filter((i) => selected.has(i.id));
  const selection = auth.canWorkIncidents
    ? {
        selected,
        toggle: (id: number) =>
          setSelected((prev) => {
            const next = new Set(prev);
            if (next.has(id)) next.delete(id);
            else next.add(id);
            return next;
          }),
        toggleAll: () =>
          setSelected((prev) => (items.every((i) => prev.has(i.id)) ? new Set() : new Set(items.map((i) => i.id)))),
      }
    : null;
  const apply = (action: BulkAction, chosen: Incident[]) => {
    const me = auth.user?.id;
    if (me === undefined) return;
    setOutcome(null);
    bulk.mutate(
      { action, incidents: chosen, me },
      {
        onSuccess: (results) => {
          setOutcome({ results, text: summary(action, results) });
          setSelected(() => new Set());
        },
      },
    );
  };
  const filtered = FILTER_PARAMS.some((k) => sp.has(k));
  const List = phone ? IncidentCards : IncidentTable;

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
                to="/?status=New&status=Investigating&status=Mitigated&sla_state=breached&sort=urgency"
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
        foldable={phone}
      />
      <div className="table-head">
        <p className="muted" aria-live="polite">
          {list.data && (
            <>
              {formatCount(list.data.total, list.data.total_exact)} incident{list.data.total === 1 ? '' : 's'} match
              {list.isFetching && ' · refreshing…'}
            </>
          )}
        </p>
        <div className="field inline">
          <label htmlFor="f-sort">Sort</label>
          <select id="f-sort" value={filters.sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            {(Object.keys(SORTS) as SortKey[]).map((key) => (
              <option key={key} value={key}>
                {SORTS[key]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="bulk-outcome" role="status">
        {outcome?.text}
      </p>
      {selection && (
        <BulkBar
          selected={selectedItems}
          busy={bulk.isPending}
          onApply={apply}
          onClear={() => setSelected(() => new Set())}
        />
      )}
      {list.isPending ? (
        <Loading what="incidents" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          action={
            auth.canWorkIncidents ? (
              <button type="button" onClick={() => navigate('/incidents/new')}>
                Declare an incident
              </button>
            ) : undefined
          }
        >
          {filtered ? 'No incident matches these filters.' : 'No incidents yet. Quiet day.'}
        </EmptyState>
      ) : (
        <div ref={listRef}>
          <List items={items} selection={selection} results={outcome?.results ?? new Map()} caption={CAPTIONS[filters.sort]} />
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={!filters.cursor} onClick={() => goToCursor(null, [])}>
          First page
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
