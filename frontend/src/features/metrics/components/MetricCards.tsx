/** MTTA, MTTM, MTTR and breach rate: the mean with median, p90 and n beside it. */
import type { Metrics } from '../../../api/types';
import { formatMaybeDuration, formatPercent } from '../../../lib/format';

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
      <Card
        title="MTTA"
        hint="Mean time to acknowledge: created → first move out of New"
        value={formatMaybeDuration(metrics.mtta_seconds)}
        detail={`median ${formatMaybeDuration(metrics.mtta_p50_seconds)} · p90 ${formatMaybeDuration(metrics.mtta_p90_seconds)} · n=${metrics.acknowledged_count}`}
        n={metrics.acknowledged_count}
      />
      <Card
        title="MTTM"
        hint="Mean time to mitigate: created → Mitigated (impact stopped)"
        value={formatMaybeDuration(metrics.mttm_seconds)}
        detail={`median ${formatMaybeDuration(metrics.mttm_p50_seconds)} · p90 ${formatMaybeDuration(metrics.mttm_p90_seconds)} · n=${metrics.mitigated_count}`}
        n={metrics.mitigated_count}
      />
      <Card
        title="MTTR"
        hint="Mean time to resolve: created → Resolved"
        value={formatMaybeDuration(metrics.mttr_seconds)}
        detail={`median ${formatMaybeDuration(metrics.mttr_p50_seconds)} · p90 ${formatMaybeDuration(metrics.mttr_p90_seconds)} · n=${metrics.resolved_count}`}
        n={metrics.resolved_count}
      />
      <Card
        title="Breach rate"
        hint="Incidents that breached an SLA target ÷ incidents whose SLA outcome is known"
        value={formatPercent(metrics.breach_rate)}
        detail={`${metrics.breached_count} breached of ${metrics.sla_known_count} with a known outcome · ${metrics.incident_count} incidents`}
        n={metrics.sla_known_count}
      />
    </div>
  );
}
