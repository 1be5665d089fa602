/**
 * A service's escalation policy as the REST contract describes it (`escalation_policy` on
 * GET/PATCH /services/{id}). Its backend is on its own branch; until the generated schema has
 * the field, this is its one definition in the console, and becomes an alias of the generated
 * type (src/api/types.ts) when it arrives.
 */
import type { Service } from '../../../api/types';

/** One step: an incident still New this many minutes after it was opened tells these channels. */
export interface EscalationStep {
  after_minutes: number;
  channel_ids: number[];
}

/** A service as GET /services shows it with its escalation policy. */
export type ServiceWithEscalation = Service & { escalation_policy?: EscalationStep[] };
