/**
 * The SLA of an incident as the console shows it. The rule (which target is breached, at risk
 * or met, and which is due next) is the server's alone: `sla.state`, `sla.breached`,
 * `sla.ack_breached`/`resolve_breached` and `sla.next_due_at` are shown as it sent them, so
 * the state and its colour change only when the server says so. The console computes text
 * from the clock: the live countdown to `next_due_at`, and how long ago a breached target fell due.
 */
import type { Sla, SlaState } from '../api/types';
import { formatDuration } from './format';

export interface SlaView {
  /** The server's state, as it sent it. */
  state: SlaState;
  /** "Breached 12m ago", "Ack due in 1h 20m", "9m 31s to spare" (met), or the state's word. */
  label: string;
  /** The countdown to the next due time when a breach takes the label: "Resolve due in 3h". */
  next: string | null;
  /** The server's next due time and which target it is. */
  dueAt: string | null;
  target: 'ack' | 'resolve' | null;
}

export const SLA_STATE_TEXT: Record<SlaState, { word: string; icon: string }> = {
  on_track: { word: 'On track', icon: '◷' },
  at_risk: { word: 'At risk', icon: '⚠' },
  breached: { word: 'Breached', icon: '✖' },
  met: { word: 'Met', icon: '✔' },
  paused: { word: 'Paused', icon: '⏸' },
};

/** A passed due time reads "due now" this long before it reads "overdue" (the server's next answer is due). */
const DUE_NOW_SECONDS = 60;

function countdown(sla: Sla, now: number): Pick<SlaView, 'dueAt' | 'target'> & { text: string | null } {
  const dueAt = sla.next_due_at;
  if (!dueAt) return { dueAt: null, target: null, text: null };
  const at = Date.parse(dueAt);
  const target = at === Date.parse(sla.ack_due_at) ? 'ack' : 'resolve';
  const name = target === 'ack' ? 'Ack' : 'Resolve';
  const remaining = (at - now) / 1000;
  // The clock passed the due time before the server's next answer: say so, leave the state to the server.
  if (remaining <= 0) {
    const text = -remaining < DUE_NOW_SECONDS ? `${name} due now` : `${name} overdue by ${formatDuration(-remaining)}`;
    return { dueAt, target, text };
  }
  return { dueAt, target, text: `${name} due in ${formatDuration(remaining)}` };
}

/** When the first target the server calls breached fell due, or null. */
function breachedSince(sla: Sla): number | null {
  const due = [sla.ack_breached ? sla.ack_due_at : null, sla.resolve_breached ? sla.resolve_due_at : null]
    .filter((d): d is string => d !== null)
    .map(Date.parse);
  return due.length ? Math.min(...due) : null;
}

/**
 * "9m 31s to spare": how long before the resolve target the incident was resolved, or null
 * when that is not known (no `resolvedAt`) or the state is not met.
 */
export function metMargin(sla: Sla, resolvedAt: string | null | undefined): string | null {
  if (sla.state !== 'met' || !resolvedAt) return null;
  const spare = (Date.parse(sla.resolve_due_at) - Date.parse(resolvedAt)) / 1000;
  if (!Number.isFinite(spare) || spare < 0) return null;
  return spare < 1 ? 'right on time' : `${formatDuration(spare)} to spare`;
}

/** `resolvedAt`: the incident's, so that a met SLA says by how much it was met. */
export function slaView(sla: Sla, now: number, resolvedAt?: string | null): SlaView {
  const { dueAt, target, text } = countdown(sla, now);
  const margin = metMargin(sla, resolvedAt);
  if (margin) return { state: sla.state, label: margin, next: null, dueAt, target };
  // A paused clock: why, instead of a countdown (no due time is next until it resumes).
  if (sla.state === 'paused') return { state: sla.state, label: `Paused: ${sla.paused_reason ?? ''}`.trim(), next: null, dueAt, target };
  if (sla.breached) {
    const since = breachedSince(sla);
    const label = since !== null && since <= now ? `Breached ${formatDuration((now - since) / 1000)} ago` : 'Breached';
    return { state: sla.state, label, next: text, dueAt, target };
  }
  return { state: sla.state, label: text ?? SLA_STATE_TEXT[sla.state].word, next: null, dueAt, target };
}
