/**
 * The notification channels, deliveries and escalation steps as the REST contract describes
 * them. The backend routes are being added on their own branches; until they are in the
 * OpenAPI schema these shapes are written from the contract, and the console's calls go
 * through ./request.ts. Once src/api/schema.d.ts has them, these become aliases of the
 * generated types (src/api/types.ts) and the calls move to the typed client.
 */
import type { Service, Severity } from '../../../api/types';

export type ChannelKind = 'webhook' | 'slack' | 'teams';
export type NotificationEvent =
  | 'incident.created'
  | 'incident.status_changed'
  | 'incident.severity_changed'
  | 'sla.at_risk'
  | 'sla.breached'
  | 'incident.escalated';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'teams'];
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = [
  'incident.created',
  'incident.status_changed',
  'incident.severity_changed',
  'sla.at_risk',
  'sla.breached',
  'incident.escalated',
];

export interface Channel {
  id: number;
  name: string;
  kind: ChannelKind;
  /** A webhook's whole URL; for Slack and Teams only the host ("https://hooks.slack.com/…"). */
  url: string;
  events: NotificationEvent[];
  min_severity: Severity | null;
  service_ids: number[];
  created_at: string;
}

export interface ChannelCreate {
  name: string;
  kind: ChannelKind;
  url: string;
  secret?: string;
  events: NotificationEvent[];
  min_severity?: Severity | null;
  service_ids?: number[];
}

export type ChannelUpdate = Partial<ChannelCreate>;

export interface Delivery {
  id: string;
  event: NotificationEvent;
  incident_id: number | null;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
}

export interface DeliveryPage {
  items: Delivery[];
  next_cursor: string | null;
}

/** One step of a service's escalation policy: still New this many minutes after opening, notify these channels. */
export interface EscalationStep {
  after_minutes: number;
  channel_ids: number[];
}

/** A service as GET /services shows it once the escalation policy is part of it. */
export type ServiceWithEscalation = Service & { escalation_policy?: EscalationStep[] };
