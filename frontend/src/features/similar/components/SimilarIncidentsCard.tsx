/** "Similar past incidents": the five earlier incidents most like this one and what was learnt from them. */
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { SeverityBadge, StatusBadge } from '../../../components/Badges';
import { ErrorState, Loading } from '../../../components/States';
import { RelativeTime } from '../../../components/Time';
import { incidentRef, pluralize } from '../../../lib/format';
import { useSimilarIncidents, type SimilarIncident } from '../api/similar';
import './SimilarIncidents.css';

/** The score (0 to 1) in words; the bar beside it shows the same figure. */
export function closeness(score: number): string {
  if (score >= 0.75) return 'Very close';
  if (score >= 0.5) return 'Close';
  if (score >= 0.3) return 'Somewhat alike';
  return 'Loosely alike';
}

const SHORT = 160;

/** Long text cut at a word boundary, with a button to show the rest. */
export function Truncated({ label, text }: { label: string; text: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const long = text.length > SHORT;
  const cut = long ? `${text.slice(0, text.lastIndexOf(' ', SHORT) > 80 ? text.lastIndexOf(' ', SHORT) : SHORT)}…` : text;
  return (
    <p className="similar-text">
      <strong>{label}:</strong> <span id={id}>{open || !long ? text : cut}</span>
      {long && (
        <>
          {' '}
          <button
            type="button"
            className="link-button"
            aria-expanded={open}
            aria-controls={id}
            aria-label={`${open ? 'less' : 'more'} of the ${label.toLowerCase()}`}
            onClick={() => setOpen(!open)}
          >
            {open ? 'less' : 'more'}
          </button>
        </>
      )}
    </p>
  );
}

function Item({ item }: { item: SimilarIncident }) {
  const { incident, score } = item;
  const percent = Math.round(score * 100);
  return (
    <li className="similar-item">
      <div className="similar-head">
        <Link to={`/incidents/${incident.id}`}>
          {incidentRef(incident.id)} · {incident.title}
        </Link>
      </div>
      <div className="similar-meta">
        <StatusBadge status={incident.status} /> <SeverityBadge severity={incident.severity} />{' '}
        <span>{incident.service_name}</span> · <RelativeTime iso={incident.created_at} />
      </div>
      <div className="similar-score">
        <span className="similar-bar" aria-hidden="true">
          <span style={{ width: `${percent}%` }} />
        </span>
        <span>
          {closeness(score)} <span className="muted">({percent}%)</span>
        </span>
      </div>
      {item.root_cause === null ? (
        <p className="muted similar-text">No RCA was written.</p>
      ) : (
        <>
          <Truncated label="Root cause" text={item.root_cause || '—'} />
          <Truncated label="Corrective actions" text={item.corrective_actions || '—'} />
        </>
      )}
    </li>
  );
}

export function SimilarIncidentsCard({ incidentId }: { incidentId: number }) {
  const similar = useSimilarIncidents(incidentId);
  return (
    <section className="card similar" aria-labelledby="similar-title">
      <h2 id="similar-title">Similar past incidents</h2>
      {similar.isPending ? (
        <Loading what="similar incidents" />
      ) : similar.isError ? (
        <ErrorState error={similar.error} retry={() => void similar.refetch()} />
      ) : similar.data.items.length === 0 ? (
        <p className="muted">No earlier incident looks like this one.</p>
      ) : (
        <>
          <p className="muted small">
            {pluralize(similar.data.items.length, 'earlier incident')} with a similar title, description and impact; the same
            service and a known root cause rank higher.
          </p>
          <ol className="similar-list">
            {similar.data.items.map((item) => (
              <Item key={item.incident.id} item={item} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
