/**
 * The four RCA sections, keyed as the API names them (RcaWrite's fields, the `missing` of a
 * `closure_blocked` error, an incident's `close_blockers`), labelled as people read them.
 * Typed against the schema: a section the server adds fails `tsc` until it has a name here.
 */
import type { RcaUpdate } from './types';

export type RcaField = keyof RcaUpdate;

export const RCA_FIELD_LABELS: Record<RcaField, string> = {
  root_cause: 'Root cause',
  contributing_factors: 'Contributing factors',
  corrective_actions: 'Corrective actions',
  prevention_actions: 'Prevention actions',
};

export const RCA_FIELDS = ['root_cause', 'contributing_factors', 'corrective_actions', 'prevention_actions'] as const satisfies readonly RcaField[];

/** What a close blocker that is not an RCA section asks for, as people read it. */
export const OTHER_CLOSE_BLOCKERS: Record<string, string> = {
  action_items: 'A follow-up with an owner and a due date',
};

/** The section's name for people; a key the console does not know is shown as the server sent it. */
export function rcaSectionName(key: string): string {
  if (key in RCA_FIELD_LABELS) return RCA_FIELD_LABELS[key as RcaField];
  return OTHER_CLOSE_BLOCKERS[key] ?? key;
}
