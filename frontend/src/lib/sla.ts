/** What the SLA of an incident says right now: the next due time and its countdown. */
import type { Incident, SlaState } from '../api/types';
import { formatDuration } from './format';

export interface SlaView {
  state: SlaState;
  /** "Ack due in 1h 20m", "Breached 12m ago", "Met" */
  label: string;
  dueAt: string | null;
  target: 'ack' | 'resolve' | null;
}

export const SLA_STATE_TEXT: Record<SlaState, { word: string; icon: string }> = {
  on_track: { word: 'On track', icon: '◷' },
  at_risk: { word: 'At risk', icon: '⚠' },
  breached: { word: 'Breached', icon: '✖' },
  met: { word: 'Met', icon: '✔' },
};

type SlaSubject = Pick<Incident, 'sla' | 'status' | 'acknowledged_at' | 'resolved_at'>;

export function slaView(incident: SlaSubject, now: number): SlaView {
  const { sla, status } = incident;
  const done = status === 'Resolved' || status === 'Closed';
  if (done || sla.state === 'met') {
    const breached = sla.breached;
    return { state: breached ? 'breached' : 'met', label: breached ? 'Breached' : 'Met', dueAt: null, target: null };
  }
  const target: 'ack' | 'resolve' = incident.acknowledged_at ? 'resolve' : 'ack';
  const dueAt = target === 'ack' ? sla.ack_due_at : sla.resolve_due_at;
  if (!dueAt) return { state: sla.state, label: SLA_STATE_TEXT[sla.state].word, dueAt: null, target: null };
  const remaining = (new Date(dueAt).getTime() - now) / 1000;
  if (remaining <= 0) {
    return { state: 'breached', label: `Breached ${formatDuration(-remaining)} ago`, dueAt, target };
  }
  const state: SlaState = sla.state === 'breached' ? 'breached' : sla.state;
  return { state, label: `${target === 'ack' ? 'Ack' : 'Resolve'} due in ${formatDuration(remaining)}`, dueAt, target };
}
