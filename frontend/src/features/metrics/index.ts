/** The metrics feature's public entry. The page (with Recharts) is its own chunk: load it lazily. */
export const loadMetricsPage = () => import('./components/MetricsPage');
