/** The monitoring alerts attached to this incident: source, state, how often and when. */
import { pluralize } from '../../../lib/format';
import type { Alert } from '../../../api/types';
import { ErrorState, Loading } from '../../../components/States';
import { RelativeTime } from '../../../components/Time';
import { useIncidentAlerts } from '../api/incidents';

const STATE: Record<Alert['status'], { icon: string; className: string }> = {
  firing: { icon: '✖', className: 'sla-breached' },
  acknowledged: { icon: '◎', className: 'sla-at_risk' },
  resolved: { icon: '✔', className: 'sla-on_track' },
};

export function AlertsPanel({ incidentId }: { incidentId: number }) {
  const alerts = useIncidentAlerts(incidentId);
  if (alerts.isPending) return <Loading what="alerts" />;
  if (alerts.isError) return <ErrorState error={alerts.error} retry={() => void alerts.refetch()} />;
  const items = alerts.data.items;
  if (items.length === 0) return <p className="muted">No monitoring alerts are attached; this incident was declared by hand.</p>;
  const firing = items.filter((a) => a.status === 'firing').length;
  return (
    <>
      <p>
        {firing === 0 ? 'Every attached alert has resolved.' : `${firing} of ${pluralize(items.length, 'alert')} still firing.`}
      </p>
      <ul className="alerts">
        {items.map((a) => (
          <li key={a.id}>
            <span className={`badge sla ${STATE[a.status].className}`}>
              <span aria-hidden="true">{STATE[a.status].icon} </span>
              {a.status}
            </span>{' '}
            <strong>{a.summary}</strong>
            <div className="muted small">
              {a.source} · ×{a.count} · first <RelativeTime iso={a.first_seen_at} /> · last <RelativeTime iso={a.last_seen_at} />
              {a.source_url && (
                <>
                  {' '}
                  · <a href={a.source_url} target="_blank" rel="noreferrer">source</a>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
