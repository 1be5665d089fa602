/** Severity, status and SLA shown by word and icon, never by colour alone. */
import type { Severity, Sla, SlaState, Status } from '../api/types';
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

/**
 * The server's state (word, icon and colour), the live countdown, since when a target is
 * breached, and for a met SLA by how much ("Met, 9m 31s to spare": pass the incident's `resolvedAt`).
 */
export function SlaCell({ sla, resolvedAt }: { sla: Sla; resolvedAt?: string | null }) {
  const now = useNow(1000);
  const view = slaView(sla, now, resolvedAt);
  return (
    <span className="sla-cell">
      <SlaStateBadge state={view.state} />
      {view.label !== SLA_STATE_TEXT[view.state].word && (
        <span className="sla-countdown">
          <span className="visually-hidden">, </span>
          {view.label}
        </span>
      )}
      {view.next && <span className="sla-countdown">{view.next}</span>}
    </span>
  );
}
