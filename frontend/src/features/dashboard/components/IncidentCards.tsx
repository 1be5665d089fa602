/** The incident list on a phone: one card per incident, the same facts the table leads with. */
import { Link } from 'react-router';
import { SeverityBadge, SlaCell, StatusBadge } from '../../../components/Badges';
import { RelativeTime } from '../../../components/Time';
import { incidentRef } from '../../../lib/format';
import { RowOutcome, SelectAll, SelectBox, type ListProps } from './Selection';

export function IncidentCards({ items, selection, results, caption }: ListProps & { caption: string }) {
  return (
    <div className="incident-cards">
      {selection && (
        <label className="select-all">
          <SelectAll items={items} selection={selection} label="Select all on this page" />
          <span aria-hidden="true">Select all on this page</span>
        </label>
      )}
      <ul aria-label={caption}>
        {items.map((i) => (
          <li
            key={i.id}
            className={[
              'incident-card',
              i.sla.breached && i.status !== 'Closed' ? 'card-breached' : '',
              selection?.selected.has(i.id) ? 'card-selected' : '',
            ].join(' ').trim()}
          >
            <div className="card-top">
              {selection && <SelectBox incident={i} selection={selection} />}
              <Link to={`/incidents/${i.id}`} className="incident-link">
                <span className="inc-ref">{incidentRef(i.id)}</span> {i.title}
              </Link>
            </div>
            <div className="card-badges">
              <SeverityBadge severity={i.severity} />
              <StatusBadge status={i.status} />
            </div>
            <SlaCell sla={i.sla} />
            <p className="card-meta muted small">
              {i.service_name} · {i.assignee_name ?? 'Unassigned'} · <RelativeTime iso={i.created_at} />
            </p>
            <RowOutcome result={results.get(i.id)} />
          </li>
        ))}
      </ul>
    </div>
  );
}
