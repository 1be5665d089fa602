/** The runbooks feature's public entry. The page is its own chunk: load it lazily. */
export { useRunbooks, useServices } from './api/runbooks';
export { StepFlags } from './components/StepFlags';
export const loadRunbooksPage = () => import('./components/RunbooksPage');
