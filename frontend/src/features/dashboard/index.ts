/** The dashboard feature's public entry. */
export { DashboardPage } from './components/DashboardPage';
export { useAssignableUsers } from './api/list';
