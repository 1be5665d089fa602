/** The admin feature's public entry: People (admins) and API tokens (everyone). Each page is its own chunk: load them lazily. */
export const loadPeoplePage = () => import('./components/PeoplePage');
export const loadTokensPage = () => import('./components/TokensPage');
