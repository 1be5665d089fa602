/** The incident table: one row per incident with its live SLA countdown. */
import { Link } from 'react-router';
import type { Incident } from '../../../api/types';
import { SeverityBadge, SlaCell, StatusBadge } from '../../../components/Badges';
import { RelativeTime } from '../../../components/Time';
import { incidentRef } from '../../../lib/format';

export function IncidentTable({ items }: { items: Incident[] }) {
  return (
    <div className="table-wrap">
      <table className="incidents">
        <caption className="visually-hidden">Incidents, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Incident</th>
            <th scope="col">Severity</th>
            <th scope="col">Status</th>
            <th scope="col">Service</th>
            <th scope="col">Owner</th>
            <th scope="col">Age</th>
            <th scope="col">SLA</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} className={i.sla.breached && i.status !== 'Closed' ? 'row-breached' : undefined}>
              <td>
                <Link to={`/incidents/${i.id}`} className="incident-link">
                  <span className="inc-ref">{incidentRef(i.id)}</span> {i.title}
                </Link>
              </td>
              <td>
                <SeverityBadge severity={i.severity} />
              </td>
              <td>
                <StatusBadge status={i.status} />
              </td>
              <td>{i.service_name}</td>
              <td>{i.assignee_name ?? <span className="muted">Unassigned</span>}</td>
              <td>
                <RelativeTime iso={i.created_at} />
              </td>
              <td>
                <SlaCell sla={i.sla} resolvedAt={i.resolved_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
