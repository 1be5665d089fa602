/**
 * The Metrics tab: filters in the URL (the last 30 days unless told otherwise), the headline
 * numbers (MTTA, MTTM, MTTR, breach rate) against the previous period of the same length, and
 * the charts (lazy), each bar leading to its incidents on the dashboard.
 */
import { lazy, Suspense } from 'react';
import { useSearchParams } from 'react-router';
import { SEVERITIES } from '../../../api/types';
import { ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useUsers } from '../../auth';
import { useServices } from '../../runbooks';
import { metricsFiltersFrom, previousPeriod, useMetrics, utcDay, windowDays } from '../api/metrics';
import { previousLabel } from './change';
import { MetricCards } from './MetricCards';
import './Metrics.css';

const Charts = lazy(() => import('./Charts'));

export default function MetricsPage() {
  useDocumentTitle('Metrics');
  const [sp, setSp] = useSearchParams();
  const filters = metricsFiltersFrom(sp);
  const previous = previousPeriod(filters);
  const metrics = useMetrics(filters);
  const before = useMetrics(previous);
  const services = useServices();
  const users = useUsers();
  const days = windowDays(filters);

  const set = (key: string, value: string) => setMany({ [key]: value });
  const setMany = (values: Record<string, string>) =>
    setSp((prev) => {
      const next = new URLSearchParams(prev);
      for (const [key, value] of Object.entries(values)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      return next;
    });
  /** A date typed in keeps the other end as shown (the default window's, if that is what was on screen). */
  const setDay = (key: 'from' | 'to', value: string) =>
    setMany({ range: '', from: filters.from, to: filters.to, [key]: value });

  return (
    <section aria-labelledby="metrics-title">
      <div className="page-head">
        <h1 id="metrics-title">Metrics</h1>
        {metrics.isFetching && !metrics.isPending && <span className="muted" role="status">Refreshing…</span>}
      </div>
      <form className="filters" aria-label="Metrics filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="m-from">From (UTC day)</label>
          <input id="m-from" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => setDay('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="m-to">To (UTC day)</label>
          <input id="m-to" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => setDay('to', e.target.value)} />
        </div>
        <div className="actions presets" role="group" aria-label="Date range presets">
          <button type="button" onClick={() => setMany({ range: '', from: utcDay(6), to: utcDay(0) })}>
            Last 7 days
          </button>
          <button type="button" onClick={() => setMany({ range: '', from: utcDay(29), to: utcDay(0) })}>
            Last 30 days
          </button>
          <button type="button" onClick={() => setMany({ range: 'all', from: '', to: '' })}>
            All time
          </button>
        </div>
        <div className="field">
          <label htmlFor="m-service">Service</label>
          <select id="m-service" value={filters.service_id ?? ''} onChange={(e) => set('service_id', e.target.value)}>
            <option value="">All services</option>
            {services.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="m-severity">Severity</label>
          <select id="m-severity" value={filters.severity ?? ''} onChange={(e) => set('severity', e.target.value)}>
            <option value="">All severities</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="m-owner">Owner</label>
          <select id="m-owner" value={filters.assignee_id ?? ''} onChange={(e) => set('assignee_id', e.target.value)}>
            <option value="">Everyone</option>
            {users.data?.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
      </form>
      <p className="muted" id="metrics-window">
        {filters.allTime
          ? 'All incidents, whenever they were opened.'
          : days === null
            ? `Incidents opened${filters.from ? ` from ${filters.from}` : ''}${filters.to ? ` until ${filters.to}` : ''} (UTC).`
            : `Incidents opened ${filters.from === filters.to ? `on ${filters.from}` : `from ${filters.from} to ${filters.to}`} (UTC), compared with ${previousLabel(days)}.`}
      </p>
      {metrics.isPending ? (
        <Loading what="metrics" />
      ) : metrics.isError ? (
        <ErrorState error={metrics.error} retry={() => void metrics.refetch()} />
      ) : (
        <>
          <MetricCards metrics={metrics.data} comparison={{ days: previous ? days : null, previous: before.data }} />
          <Suspense fallback={<Loading what="charts" />}>
            <Charts metrics={metrics.data} filters={filters} />
          </Suspense>
        </>
      )}
    </section>
  );
}
