/**
 * The incident's moves as people name them, and its NEXT STEP: the one forward move among the
 * `allowed_transitions` the server sent (the lifecycle table is the server's alone). The sticky
 * header's main button and the Status card both read them from here.
 */
import type { IncidentDetail, Status } from '../../../api/types';
import { STATUSES } from '../../../api/types';

export interface Move {
  to: Status;
  /** The verb on the button: "Acknowledge", "Mark mitigated", "Resolve", "Close", "Reopen". */
  label: string;
}

const FORWARD_LABEL: Record<Status, string> = {
  New: 'New',
  Investigating: 'Acknowledge',
  Mitigated: 'Mark mitigated',
  Resolved: 'Resolve',
  Closed: 'Close',
};

/** A move from `from` to `to` in words: back to Investigating is a reopen. */
export function moveOf(from: Status, to: Status): Move {
  const forward = STATUSES.indexOf(to) > STATUSES.indexOf(from);
  return { to, label: forward ? FORWARD_LABEL[to] : 'Reopen' };
}

/** The next step: the allowed move that takes the incident forward, or null when none does. */
export function nextStep(incident: Pick<IncidentDetail, 'status' | 'allowed_transitions'>): Move | null {
  const to = incident.allowed_transitions.find((t) => STATUSES.indexOf(t) > STATUSES.indexOf(incident.status));
  return to ? moveOf(incident.status, to) : null;
}
