/** Names for the server's data, all taken from the generated OpenAPI schema (never hand-written). */
import type { components } from './schema';

type S = components['schemas'];

export type Severity = S['Severity'];
export type Status = S['Status'];
export type User = S['UserRead'];
export type UserCreate = S['UserCreate'];
export type UserUpdate = S['UserUpdate'];
export type ApiToken = S['ApiTokenRead'];
export type ApiTokenCreate = S['ApiTokenCreate'];
export type ApiTokenCreated = S['ApiTokenCreated'];
export type Service = S['ServiceRead'];
export type ServiceUpdate = S['ServiceUpdate'];
export type ServiceCreate = S['ServiceCreate'];
export type SlaPolicy = S['ServiceRead']['sla_policy'];
/** One step of a service's escalation policy: still New this many minutes after opening, tell these channels. */
export type EscalationStep = S['EscalationStepRead'];
export type Runbook = S['RunbookRead'];
export type RunbookCreate = S['RunbookCreate'];
export type RunbookUpdate = S['RunbookUpdate'];
export type RunbookStepIn = S['RunbookStepIn'];
export type Incident = S['IncidentRead'];
export type IncidentDetail = S['IncidentDetail'];
export type IncidentPage = S['IncidentPage'];
export type IncidentCreate = S['IncidentCreate'];
export type IncidentUpdate = S['IncidentUpdate'];
export type Sla = S['IncidentRead']['sla'];
export type SlaState = Sla['state'];
export type TimelineEvent = S['EventRead'];
/** The timeline's vocabulary: an enum in the schema, so the console must map every member. */
export type EventType = S['EventType'];
export type Rca = S['RcaRead'];
export type RcaUpdate = S['RcaWrite'];
export type Metrics = S['Metrics'];
export type DailyMetrics = Metrics['daily'][number];
export type SeverityMetrics = Metrics['by_severity'][number];
export type ServiceMetrics = Metrics['by_service'][number];
export type Role = S['UserRead']['role'];
export type Alert = S['AlertRead'];
export type Channel = S['NotificationChannelRead'];
export type ChannelCreate = S['NotificationChannelCreate'];
export type ChannelUpdate = S['NotificationChannelUpdate'];
export type ChannelKind = Channel['kind'];
/** What a channel may hear (a delivery's `event` is one of these, or `test`). */
export type NotificationEvent = Channel['events'][number];
export type Delivery = S['DeliveryRead'];
export type DeliveryPage = S['DeliveryPage'];
export type DeliveryStatus = Delivery['status'];
/** A follow-up (action item) of an incident, its kinds and states. */
export type ActionItem = S['ActionItemRead'];
export type ActionItemCreate = S['ActionItemCreate'];
export type ActionItemUpdate = S['ActionItemUpdate'];
export type ActionItemPage = S['ActionItemPage'];
export type ActionItemKind = S['Kind'];
export type ActionItemStatus = S['ItemStatus'];
/** A business-hours calendar: zone, weekly hours ({mon: [["09:00", "17:00"]]}), holidays. */
export type Calendar = S['CalendarRead'];
export type CalendarCreate = S['CalendarCreate'];
export type CalendarUpdate = S['CalendarUpdate'];
export type SlaPreview = S['SlaPreview'];

export const ROLES: readonly Role[] = ['admin', 'responder', 'viewer'];
export const SEVERITIES: readonly Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
export const STATUSES: readonly Status[] = ['New', 'Investigating', 'Mitigated', 'Resolved', 'Closed'];
export const OPEN_STATUSES: readonly Status[] = ['New', 'Investigating', 'Mitigated'];
export const ACTION_ITEM_KINDS: readonly ActionItemKind[] = ['corrective', 'preventive'];
export const SLA_STATES: readonly SlaState[] = ['on_track', 'at_risk', 'breached', 'met', 'paused'];
export const CHANNEL_KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'teams'];
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = [
  'incident.created',
  'incident.status_changed',
  'incident.severity_changed',
  'sla.at_risk',
  'sla.breached',
  'incident.escalated',
];
