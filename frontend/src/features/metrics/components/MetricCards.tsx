/**
 * MTTA, MTTM, MTTR and breach rate: the mean with median, p90 and n beside it, and how it moved
 * against the previous period of the same length (in words and colour: lower is better).
 * Below MIN_SAMPLE incidents the figure gives way to "Not enough data".
 */
import type { Metrics } from '../../../api/types';
import { formatMaybeDuration, formatPercent, pluralize } from '../../../lib/format';
import { compare, previousLabel, type Change } from './change';
import { DURATIONS, mean, p50, p90 } from './durations';
import { MIN_SAMPLE } from './sample';
import './Metrics.css';

export { MIN_SAMPLE };

/** How the page compares: against which period, if any, and its figures once loaded. */
export interface Comparison {
  days: number | null; // null: all time or an open-ended window, nothing to compare with
  previous: Metrics | undefined;
}

function Trend({ change, comparison, thinBefore }: { change: Change | null; comparison: Comparison; thinBefore: boolean }) {
  if (comparison.days === null) return <p className="metric-change muted">All time: no earlier period to compare with.</p>;
  if (!comparison.previous) return <p className="metric-change muted">Comparing with {previousLabel(comparison.days)}…</p>;
  if (!change) {
    return (
      <p className="metric-change muted">
        {thinBefore ? `Not enough data in ${previousLabel(comparison.days)} to compare.` : 'No comparison yet.'}
      </p>
    );
  }
  const arrow = change.verdict === 'better' ? '↓' : change.verdict === 'worse' ? '↑' : '→';
  const word = change.verdict === 'better' ? 'better' : change.verdict === 'worse' ? 'worse' : 'steady';
  return (
    <p className={`metric-change ${change.verdict}`}>
      <span aria-hidden="true">{arrow} </span>
      {change.text} <strong>({word})</strong>
    </p>
  );
}

interface CardProps {
  title: string;
  value: string;
  detail: string;
  n: number;
  unit: readonly [string, string];
  hint: string;
  change: Change | null;
  comparison: Comparison;
  thinBefore: boolean;
}

function Card({ title, value, detail, n, unit, hint, change, comparison, thinBefore }: CardProps) {
  const thin = n < MIN_SAMPLE;
  return (
    <section className="card metric" aria-label={title}>
      <h2>{title}</h2>
      {thin ? (
        <>
          <p className="metric-value metric-not-enough">Not enough data</p>
          <p className="metric-detail">
            {pluralize(n, unit[0], unit[1])} in this window; a figure needs at least {MIN_SAMPLE}.
          </p>
        </>
      ) : (
        <>
          <p className="metric-value" title={hint}>
            {value}
          </p>
          <p className="metric-detail">{detail}</p>
          <Trend change={change} comparison={comparison} thinBefore={thinBefore} />
        </>
      )}
    </section>
  );
}

export function MetricCards({ metrics, comparison }: { metrics: Metrics; comparison: Comparison }) {
  const before = comparison.previous;
  const days = comparison.days ?? 0;
  return (
    <div className="metric-cards">
      {DURATIONS.map((d) => (
        <Card
          key={d.key}
          title={d.title}
          hint={d.hint}
          unit={d.unit}
          value={formatMaybeDuration(mean(metrics, d))}
          detail={`median ${formatMaybeDuration(p50(metrics, d))} · p90 ${formatMaybeDuration(p90(metrics, d))} · n=${metrics[d.count]}`}
          n={metrics[d.count]}
          comparison={comparison}
          thinBefore={!!before && before[d.count] < MIN_SAMPLE}
          change={before ? compare({ value: mean(metrics, d), n: metrics[d.count] }, { value: mean(before, d), n: before[d.count] }, 'duration', days) : null}
        />
      ))}
      <Card
        title="Breach rate"
        hint="Incidents that breached an SLA target ÷ incidents whose SLA outcome is known"
        unit={['incident with a known SLA outcome', 'incidents with a known SLA outcome']}
        value={formatPercent(metrics.breach_rate)}
        detail={`${metrics.breached_count} breached of ${metrics.sla_known_count} with a known outcome · ${pluralize(metrics.incident_count, 'incident')}${
          metrics.breach_rate_target !== null ? ` · target under ${formatPercent(metrics.breach_rate_target)}` : ''
        }`}
        n={metrics.sla_known_count}
        comparison={comparison}
        thinBefore={!!before && before.sla_known_count < MIN_SAMPLE}
        change={
          before
            ? compare({ value: metrics.breach_rate, n: metrics.sla_known_count }, { value: before.breach_rate, n: before.sla_known_count }, 'rate', days)
            : null
        }
      />
    </div>
  );
}
