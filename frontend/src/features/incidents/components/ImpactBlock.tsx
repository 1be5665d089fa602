/** The customer-impact statement: who is affected and how, shown beside the summary. */
import type { IncidentDetail } from '../../../api/types';

export function ImpactBlock({ incident, canEdit }: { incident: Pick<IncidentDetail, 'impact'>; canEdit: boolean }) {
  const impact = incident.impact.trim();
  return (
    <section className={`impact${impact ? '' : ' impact-empty'}`} aria-labelledby="impact-title">
      <h3 id="impact-title">Customer impact</h3>
      {impact ? (
        <p className="impact-text">{impact}</p>
      ) : (
        <p className="muted">
          No customer impact recorded yet.
          {canEdit && ' Say who is affected and how with “Edit summary and impact”.'}
        </p>
      )}
    </section>
  );
}
