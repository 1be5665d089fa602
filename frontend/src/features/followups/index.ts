/** The follow-ups feature's public entry: the incident's card, and "My follow-ups" (its own chunk: load it lazily). */
export { FollowUpsCard, focusFollowUpForm } from './components/FollowUpsCard';
export const loadMyFollowUpsPage = () => import('./components/MyFollowUpsPage');
