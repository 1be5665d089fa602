/** The incidents feature's public entry. */
export { IncidentDetailPage } from './components/IncidentDetailPage';
export { NewIncidentPage } from './components/NewIncidentPage';
