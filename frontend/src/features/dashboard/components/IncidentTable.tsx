/** The incident table (wider screens): one row per incident with its live SLA countdown. */
import { Link } from 'react-router';
import { SeverityBadge, SlaCell, StatusBadge } from '../../../components/Badges';
import { RelativeTime } from '../../../components/Time';
import { incidentRef } from '../../../lib/format';
import { RowOutcome, SelectAll, SelectBox, type ListProps } from './Selection';

export function IncidentTable({ items, selection, results, caption }: ListProps & { caption: string }) {
  return (
    <div className="table-wrap">
      <table className="incidents">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="select-col">
                <SelectAll items={items} selection={selection} label="Select all on this page" />
              </th>
            )}
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
            <tr
              key={i.id}
              className={[
                i.sla.breached && i.status !== 'Closed' ? 'row-breached' : '',
                selection?.selected.has(i.id) ? 'row-selected' : '',
              ].join(' ').trim() || undefined}
            >
              {selection && (
                <td className="select-col">
                  <SelectBox incident={i} selection={selection} />
                </td>
              )}
              <td>
                <Link to={`/incidents/${i.id}`} className="incident-link">
                  <span className="inc-ref">{incidentRef(i.id)}</span> {i.title}
                </Link>
                <RowOutcome result={results.get(i.id)} />
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
