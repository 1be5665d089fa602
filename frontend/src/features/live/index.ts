/** The live-updates feature's public entry. */
export { useLiveUpdates, type LiveState } from './api/liveUpdates';
export { LiveIndicator } from './components/LiveIndicator';
