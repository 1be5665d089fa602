/** The SLA panel: ack and resolve due times, whether each was breached, and the state now. */
import type { IncidentDetail } from '../../../api/types';
import { SlaCell } from '../../../components/Badges';
import { FullTime } from '../../../components/Time';

function Outcome({ breached, doneAt }: { breached: boolean; doneAt: string | null }) {
  if (breached) return <span className="text-breached"><span aria-hidden="true">✖ </span>breached</span>;
  if (doneAt) return <span className="text-met"><span aria-hidden="true">✔ </span>met</span>;
  return <span className="muted">pending</span>;
}

export function SlaPanel({ incident }: { incident: IncidentDetail }) {
  const { sla } = incident;
  return (
    <section className="card" aria-labelledby="sla-title">
      <h2 id="sla-title">SLA</h2>
      <p>
        <SlaCell sla={sla} resolvedAt={incident.resolved_at} />
      </p>
      <dl className="facts">
        <dt>Acknowledge by</dt>
        <dd>
          <FullTime iso={sla.ack_due_at} /> · <Outcome breached={sla.ack_breached} doneAt={incident.acknowledged_at} />
        </dd>
        <dt>Resolve by</dt>
        <dd>
          <FullTime iso={sla.resolve_due_at} /> · <Outcome breached={sla.resolve_breached} doneAt={incident.resolved_at} />
        </dd>
      </dl>
    </section>
  );
}
