/**
 * The metrics charts (Recharts), each with its table alternative and CSV download. A bar opens
 * the dashboard on exactly its incidents. Loaded lazily.
 */
import { useNavigate } from 'react-router';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type BarRectangleItem,
} from 'recharts';
import type { DailyMetrics, Metrics, ServiceMetrics, SeverityMetrics } from '../../../api/types';
import { formatPercent } from '../../../lib/format';
import { dashboardLink, type Drill, type MetricsFilters } from '../api/metrics';
import { breachBuckets, percentTicks, type BreachBucket } from './buckets';
import { ChartCard, type Column } from './ChartCard';
import { DURATIONS, durationColumns, mean } from './durations';

const COLORS = { opened: '#1d4ed8', resolved: '#047857', breached: '#b42318', target: '#93370d' };
const minutes = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.round(s / 6) / 10);
const HEIGHT = 260;
const TICK = { fontSize: 12 };
const shortDay = (d: string) => d.slice(5);
const CLICK_HINT = 'Select a bar to list its incidents on the dashboard.';

function breakdownColumns<T extends SeverityMetrics | ServiceMetrics>(): Column<T>[] {
  return [
    { header: 'Incidents', value: (r) => r.incident_count },
    { header: 'Breached', value: (r) => r.breached_count },
    { header: 'Breach rate', value: (r) => r.breach_rate, cell: (r) => formatPercent(r.breach_rate) },
    ...durationColumns<T>(),
  ];
}

export default function Charts({ metrics, filters }: { metrics: Metrics; filters: MetricsFilters }) {
  const navigate = useNavigate();
  const link = (drill: Drill) => dashboardLink(filters, drill);
  /** A Recharts bar click: its row is the entry's payload. */
  const open =
    <T,>(drill: (row: T) => Drill) =>
    (entry: BarRectangleItem) => {
      if (entry.payload) void navigate(link(drill(entry.payload as T)));
    };
  const daily = metrics.daily;
  const trend = daily.map((day) => ({
    date: day.date,
    ...Object.fromEntries(DURATIONS.map((d) => [d.key, minutes(mean(day, d))])),
  }));
  const buckets = breachBuckets(daily);
  const target = metrics.breach_rate_target;
  const rateTicks = percentTicks(Math.max(target ?? 0, ...buckets.map((b) => b.rate ?? 0)));
  const day = (d: DailyMetrics): Drill => ({ from: d.date, to: d.date });
  const bucket = (b: BreachBucket): Drill => ({ from: b.from, to: b.to, breached: true });
  const bySeverity = (r: SeverityMetrics): Drill => ({ severity: r.severity });
  const byService = (r: ServiceMetrics): Drill => ({ service_id: r.service_id });
  return (
    <div className="charts">
      <ChartCard
        title="Opened, resolved and breached per day"
        rows={daily}
        rowKey={(d) => d.date}
        empty="No incidents were opened or resolved in this window, so there is nothing to chart."
        hint={CLICK_HINT}
        link={(d) => link(day(d))}
        linkName={(d) => `incidents opened on ${d.date}`}
        columns={[
          { header: 'Day (UTC)', value: (d) => d.date },
          { header: 'Opened', value: (d) => d.opened },
          { header: 'Resolved', value: (d) => d.resolved },
          { header: 'Breached', value: (d) => d.breached },
        ]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <BarChart data={daily}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" tickFormatter={shortDay} tick={TICK} minTickGap={8} />
              <YAxis allowDecimals={false} width={32} tick={TICK} />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="opened" name="Opened" fill={COLORS.opened} onClick={open(day)} />
              <Bar isAnimationActive={false} dataKey="resolved" name="Resolved" fill={COLORS.resolved} onClick={open(day)} />
              <Bar
                isAnimationActive={false}
                dataKey="breached"
                name="Breached"
                fill={COLORS.breached}
                onClick={open((d: DailyMetrics) => ({ ...day(d), breached: true }))}
              />
            </BarChart>
          </ResponsiveContainer>
        }
      />
      <ChartCard
        title="Breach rate over time"
        rows={buckets}
        rowKey={(b) => b.from}
        hasData={buckets.some((b) => b.rate !== null)}
        empty="Not enough incidents with a known SLA outcome in any period to chart the breach rate (each period needs at least 5)."
        hint={`${CLICK_HINT}${target !== null ? ` The dashed line is the target: under ${formatPercent(target)}.` : ''}`}
        link={(b) => link(bucket(b))}
        linkName={(b) => `breached incidents opened ${b.from === b.to ? `on ${b.from}` : `from ${b.from} to ${b.to}`}`}
        columns={[
          { header: 'From (UTC)', value: (b) => b.from },
          { header: 'To (UTC)', value: (b) => b.to },
          { header: 'Breached', value: (b) => b.breached },
          { header: 'Known outcome', value: (b) => b.known },
          { header: 'Breach rate', value: (b) => b.rate, cell: (b) => (b.rate === null ? 'Not enough data' : formatPercent(b.rate)) },
          { header: 'Target', value: () => target, cell: () => formatPercent(target) },
        ]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <BarChart data={buckets} margin={{ top: 8, right: 80 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="from" tickFormatter={shortDay} tick={TICK} minTickGap={8} />
              <YAxis
                tickFormatter={(v: number) => formatPercent(v, 0)}
                width={44}
                tick={TICK}
                domain={[0, rateTicks[rateTicks.length - 1]]}
                ticks={rateTicks}
              />
              <Tooltip formatter={(v) => formatPercent(Number(v))} labelFormatter={(l) => `From ${String(l)}`} />
              <Legend />
              <Bar isAnimationActive={false} dataKey="rate" name="Breach rate" fill={COLORS.breached} onClick={open(bucket)} />
              {target !== null && (
                <ReferenceLine
                  y={target}
                  stroke={COLORS.target}
                  strokeDasharray="6 4"
                  strokeWidth={2}
                  label={{ value: `Target ${formatPercent(target)}`, position: 'right', fill: COLORS.target, fontSize: 12 }}
                />
              )}
            </BarChart>
          </ResponsiveContainer>
        }
      />
      <ChartCard
        title="MTTA, MTTM and MTTR trend (minutes)"
        rows={daily}
        rowKey={(d) => d.date}
        hasData={daily.some((day) => DURATIONS.some((d) => mean(day, d) !== null))}
        empty="No incident in this window has been acknowledged yet, so there is no trend to draw."
        columns={[{ header: 'Day (UTC)', value: (d) => d.date }, ...durationColumns<DailyMetrics>()]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <LineChart data={trend}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" tickFormatter={shortDay} tick={TICK} minTickGap={8} />
              <YAxis unit=" min" width={72} tick={TICK} />
              <Tooltip />
              <Legend />
              {DURATIONS.map((d) => (
                <Line
                  key={d.key}
                  isAnimationActive={false}
                  type="monotone"
                  dataKey={d.key}
                  name={`${d.title} (min)`}
                  stroke={d.color}
                  strokeWidth={2}
                  strokeDasharray={d.dash}
                  connectNulls
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        }
      />
      <ChartCard
        title="By severity"
        rows={metrics.by_severity}
        rowKey={(r) => r.severity}
        empty="No incidents in this window."
        hint={CLICK_HINT}
        link={(r) => link(bySeverity(r))}
        linkName={(r) => `${r.severity} incidents`}
        columns={[{ header: 'Severity', value: (r) => r.severity }, ...breakdownColumns<SeverityMetrics>()]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <BarChart data={metrics.by_severity}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="severity" tick={TICK} />
              <YAxis allowDecimals={false} width={32} tick={TICK} />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="incident_count" name="Incidents" fill={COLORS.opened} onClick={open(bySeverity)} />
              <Bar
                isAnimationActive={false}
                dataKey="breached_count"
                name="Breached"
                fill={COLORS.breached}
                onClick={open((r: SeverityMetrics) => ({ ...bySeverity(r), breached: true }))}
              />
            </BarChart>
          </ResponsiveContainer>
        }
      />
      <ChartCard
        title="By service"
        rows={metrics.by_service}
        rowKey={(r) => String(r.service_id)}
        empty="No incidents in this window."
        hint={CLICK_HINT}
        link={(r) => link(byService(r))}
        linkName={(r) => `${r.service_name} incidents`}
        columns={[{ header: 'Service', value: (r) => r.service_name }, ...breakdownColumns<ServiceMetrics>()]}
        chart={
          <ResponsiveContainer width="100%" height={Math.max(180, 80 + metrics.by_service.length * 44)}>
            <BarChart data={metrics.by_service} layout="vertical" margin={{ left: 4, right: 12 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} tick={TICK} />
              <YAxis type="category" dataKey="service_name" width={118} tick={TICK} />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="incident_count" name="Incidents" fill={COLORS.opened} onClick={open(byService)} />
              <Bar
                isAnimationActive={false}
                dataKey="breached_count"
                name="Breached"
                fill={COLORS.breached}
                onClick={open((r: ServiceMetrics) => ({ ...byService(r), breached: true }))}
              />
            </BarChart>
          </ResponsiveContainer>
        }
      />
    </div>
  );
}
