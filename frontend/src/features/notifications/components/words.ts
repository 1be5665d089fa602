/** How the console names channel kinds, events and delivery states for people. */
import type { ChannelKind, DeliveryStatus, NotificationEvent } from '../../../api/types';

export const KIND_LABEL: Record<ChannelKind, string> = { webhook: 'Webhook', slack: 'Slack', teams: 'Microsoft Teams' };

export const EVENT_LABEL: Record<NotificationEvent, string> = {
  'incident.created': 'An incident is opened',
  'incident.status_changed': 'Its status changes',
  'incident.severity_changed': 'Its severity changes',
  'sla.at_risk': 'An SLA target is at risk',
  'sla.breached': 'An SLA target is breached',
  'incident.escalated': 'It is escalated (not acknowledged in time)',
};

/** Short names for a table cell. */
export const EVENT_SHORT: Record<NotificationEvent, string> = {
  'incident.created': 'Opened',
  'incident.status_changed': 'Status changed',
  'incident.severity_changed': 'Severity changed',
  'sla.at_risk': 'SLA at risk',
  'sla.breached': 'SLA breached',
  'incident.escalated': 'Escalated',
};

export const STATUS_TEXT: Record<DeliveryStatus, { word: string; icon: string }> = {
  pending: { word: 'Waiting to send', icon: '◷' },
  delivered: { word: 'Delivered', icon: '✔' },
  failed: { word: 'Failed', icon: '✖' },
};

/** A delivery's event in a table cell: a test has no incident. */
export function eventShort(event: string): string {
  return event === 'test' ? 'Test' : (EVENT_SHORT[event as NotificationEvent] ?? event);
}

/** A pending delivery that has been tried already is being retried. */
export function statusWord(status: DeliveryStatus, attempts: number): string {
  return status === 'pending' && attempts > 0 ? 'Retrying' : STATUS_TEXT[status].word;
}
