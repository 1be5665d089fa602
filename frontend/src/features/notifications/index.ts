/** The notifications feature's public entry: the page (its own chunk: load it lazily), and the channel list for the services page's escalation policy. */
export { useChannels } from './api/notifications';
export { KIND_LABEL } from './components/words';
export const loadNotificationsPage = () => import('./components/NotificationsPage');
