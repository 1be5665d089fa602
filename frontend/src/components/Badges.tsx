/** Severity, status and SLA shown by word and icon, never by colour alone. */
import type { Incident, Severity, SlaState, Status } from '../api/types';
import { SLA_STATE_TEXT, slaView } from '../lib/sla';
import { useNow } from './useNow';

const SEVERITY_ICON: Record<Severity, string> = { SEV1: '▲▲', SEV2: '▲', SEV3: '◆', SEV4: '▽' };
const STATUS_ICON: Record<Status, string> = {
  New: '●',
  Investigating: '◎',
  Mitigated: '◐',
  Resolved: '✔',
  Closed: '■',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge sev sev-${severity.toLowerCase()}`}>
      <span aria-hidden="true">{SEVERITY_ICON[severity]} </span>
      {severity}
    </span>
  );
}

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`badge status status-${status.toLowerCase()}`}>
      <span aria-hidden="true">{STATUS_ICON[status]} </span>
      {status}
    </span>
  );
}

export function SlaStateBadge({ state }: { state: SlaState }) {
  const { word, icon } = SLA_STATE_TEXT[state];
  return (
    <span className={`badge sla sla-${state}`}>
      <span aria-hidden="true">{icon} </span>
      {word}
    </span>
  );
}

type SlaSubject = Pick<Incident, 'sla' | 'status' | 'acknowledged_at' | 'resolved_at'>;

/** State word + icon, the live countdown to the next due time, and a breach badge. */
export function SlaCell({ incident }: { incident: SlaSubject }) {
  const now = useNow(1000);
  const view = slaView(incident, now);
  const showBreach = incident.sla.breached && view.state !== 'breached';
  return (
    <span className="sla-cell">
      <SlaStateBadge state={view.state} />
      {view.label !== SLA_STATE_TEXT[view.state].word && <span className="sla-countdown">{view.label}</span>}
      {showBreach && (
        <span className="badge sla sla-breached">
          <span aria-hidden="true">✖ </span>
          {incident.sla.ack_breached ? 'Ack breached' : 'Breached'}
        </span>
      )}
    </span>
  );
}
