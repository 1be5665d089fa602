/** The Metrics tab: filters in the URL, the headline numbers (MTTA, MTTM, MTTR, breach rate), and the charts (lazy). */
import { lazy, Suspense } from 'react';
import { useSearchParams } from 'react-router';
import { SEVERITIES } from '../../../api/types';
import { ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useServices } from '../../runbooks';
import { metricsFiltersFrom, useMetrics } from '../api/metrics';
import { MetricCards } from './MetricCards';

const Charts = lazy(() => import('./Charts'));

const utcDay = (offsetDays: number) => new Date(Date.now() - offsetDays * 86_400_000).toISOString().slice(0, 10);

export default function MetricsPage() {
  useDocumentTitle('Metrics');
  const [sp, setSp] = useSearchParams();
  const filters = metricsFiltersFrom(sp);
  const metrics = useMetrics(filters);
  const services = useServices();

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

  return (
    <section aria-labelledby="metrics-title">
      <div className="page-head">
        <h1 id="metrics-title">Metrics</h1>
        {metrics.isFetching && !metrics.isPending && <span className="muted" role="status">Refreshing…</span>}
      </div>
      <form className="filters" aria-label="Metrics filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="m-from">From (UTC day)</label>
          <input id="m-from" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="m-to">To (UTC day)</label>
          <input id="m-to" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => set('to', e.target.value)} />
        </div>
        <div className="actions presets" role="group" aria-label="Date range presets">
          <button type="button" onClick={() => setMany({ from: utcDay(6), to: utcDay(0) })}>
            Last 7 days
          </button>
          <button type="button" onClick={() => setMany({ from: utcDay(29), to: utcDay(0) })}>
            Last 30 days
          </button>
          <button type="button" onClick={() => setMany({ from: '', to: '' })}>
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
      </form>
      {metrics.isPending ? (
        <Loading what="metrics" />
      ) : metrics.isError ? (
        <ErrorState error={metrics.error} retry={() => void metrics.refetch()} />
      ) : (
        <>
          <MetricCards metrics={metrics.data} />
          <Suspense fallback={<Loading what="charts" />}>
            <Charts metrics={metrics.data} />
          </Suspense>
        </>
      )}
    </section>
  );
}
