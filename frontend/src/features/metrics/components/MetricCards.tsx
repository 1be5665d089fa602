/** MTTA, MTTM, MTTR and breach rate: the mean with median, p90 and n beside it. */
import type { Metrics } from '../../../api/types';
import { formatMaybeDuration, formatPercent, pluralize } from '../../../lib/format';
import { DURATIONS, mean, p50, p90 } from './durations';

export const MIN_SAMPLE = 5;

function Card({ title, value, detail, n, hint }: { title: string; value: string; detail: string; n: number; hint: string }) {
  const thin = n < MIN_SAMPLE;
  return (
    <section className="card metric" aria-label={title}>
      <h2>{title}</h2>
      <p className="metric-value" title={hint}>
        {value}
      </p>
      <p className="metric-detail">{detail}</p>
      {thin && (
        <p className="metric-thin">
          <span aria-hidden="true">⚠ </span>Not enough data (n={n}, fewer than {MIN_SAMPLE})
        </p>
      )}
    </section>
  );
}

export function MetricCards({ metrics }: { metrics: Metrics }) {
  return (
    <div className="metric-cards">
      {DURATIONS.map((d) => (
        <Card
          key={d.key}
          title={d.title}
          hint={d.hint}
          value={formatMaybeDuration(mean(metrics, d))}
          detail={`median ${formatMaybeDuration(p50(metrics, d))} · p90 ${formatMaybeDuration(p90(metrics, d))} · n=${metrics[d.count]}`}
          n={metrics[d.count]}
        />
      ))}
      <Card
        title="Breach rate"
        hint="Incidents that breached an SLA target ÷ incidents whose SLA outcome is known"
        value={formatPercent(metrics.breach_rate)}
        detail={`${metrics.breached_count} breached of ${metrics.sla_known_count} with a known outcome · ${pluralize(metrics.incident_count, 'incident')}`}
        n={metrics.sla_known_count}
      />
    </div>
  );
}
