/** The calendars feature's public entry: the page (its own chunk: load it lazily), and the list and preview the SLA policy editor uses. */
export { useCalendars, useSlaPreview, type PreviewParams } from './api/calendars';
export const loadCalendarsPage = () => import('./components/CalendarsPage');
