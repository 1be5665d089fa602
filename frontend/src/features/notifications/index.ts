/** The notifications feature's public entry: the page (its own chunk: load it lazily), the channel list and the escalation step shape for the services page. */
export { useChannels } from './api/notifications';
export type { EscalationStep, ServiceWithEscalation } from './api/escalation';
export { KIND_LABEL } from './components/words';
export const loadNotificationsPage = () => import('./components/NotificationsPage');
