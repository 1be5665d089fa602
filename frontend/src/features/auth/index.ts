/** The auth feature's public entry: other features and the app import from here, never from its folders. */
export { AuthProvider, useAuth, type AuthState } from './components/AuthContext';
export { LoginPage } from './components/LoginPage';
export { permissionsOf, useUsers, type Permissions } from './api/auth';
