/** The four metrics charts (Recharts), each with its table alternative. Loaded lazily. */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Metrics } from '../../../api/types';
import { formatPercent } from '../../../lib/format';
import { ChartCard } from './ChartCard';
import { DURATIONS, durationColumns, mean } from './durations';

const COLORS = { opened: '#1d4ed8', resolved: '#047857', breached: '#b42318' };
const minutes = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.round(s / 6) / 10);
const HEIGHT = 260;

export default function Charts({ metrics }: { metrics: Metrics }) {
  const daily = metrics.daily;
  const trend = daily.map((day) => ({
    date: day.date,
    ...Object.fromEntries(DURATIONS.map((d) => [d.key, minutes(mean(day, d))])),
  }));
  return (
    <div className="charts">
      <ChartCard
        title="Opened, resolved and breached per day"
        rows={daily}
        rowKey={(d) => d.date}
        columns={[
          { header: 'Day (UTC)', cell: (d) => d.date },
          { header: 'Opened', cell: (d) => d.opened },
          { header: 'Resolved', cell: (d) => d.resolved },
          { header: 'Breached', cell: (d) => d.breached },
        ]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <BarChart data={daily}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="opened" name="Opened" fill={COLORS.opened} />
              <Bar isAnimationActive={false} dataKey="resolved" name="Resolved" fill={COLORS.resolved} />
              <Bar isAnimationActive={false} dataKey="breached" name="Breached" fill={COLORS.breached} />
            </BarChart>
          </ResponsiveContainer>
        }
      />
      <ChartCard
        title="MTTA, MTTM and MTTR trend (minutes)"
        rows={daily}
        rowKey={(d) => d.date}
        columns={[
          { header: 'Day (UTC)', cell: (d) => d.date },
          ...durationColumns<(typeof daily)[number]>(),
        ]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <LineChart data={trend}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" />
              <YAxis unit=" min" />
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
        columns={[
          { header: 'Severity', cell: (r) => r.severity },
          { header: 'Incidents', cell: (r) => r.incident_count },
          { header: 'Breached', cell: (r) => r.breached_count },
          { header: 'Breach rate', cell: (r) => formatPercent(r.breach_rate) },
          ...durationColumns<(typeof metrics.by_severity)[number]>(),
        ]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <BarChart data={metrics.by_severity}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="severity" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="incident_count" name="Incidents" fill={COLORS.opened} />
              <Bar isAnimationActive={false} dataKey="breached_count" name="Breached" fill={COLORS.breached} />
            </BarChart>
          </ResponsiveContainer>
        }
      />
      <ChartCard
        title="By service"
        rows={metrics.by_service}
        rowKey={(r) => String(r.service_id)}
        columns={[
          { header: 'Service', cell: (r) => r.service_name },
          { header: 'Incidents', cell: (r) => r.incident_count },
          { header: 'Breached', cell: (r) => r.breached_count },
          { header: 'Breach rate', cell: (r) => formatPercent(r.breach_rate) },
          ...durationColumns<(typeof metrics.by_service)[number]>(),
        ]}
        chart={
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <BarChart data={metrics.by_service}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="service_name" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="incident_count" name="Incidents" fill={COLORS.opened} />
              <Bar isAnimationActive={false} dataKey="breached_count" name="Breached" fill={COLORS.breached} />
            </BarChart>
          </ResponsiveContainer>
        }
      />
    </div>
  );
}
