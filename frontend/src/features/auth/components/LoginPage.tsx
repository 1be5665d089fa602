/** The sign-in screen: username and password, the server's message on failure. */
import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router';
import { errorMessage, errorWithCode } from '../../../api/errors';
import { formatWait } from '../../../lib/format';
import { forgetSignOutReason, signOutReason } from '../../../api/token';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useLogin } from '../api/auth';
import { useAuth } from './AuthContext';

/** What went wrong signing in; a lock-out says its wait in minutes ("Try again in 5 minutes"). */
export function signInError(error: unknown): string {
  const locked = errorWithCode(error, 'too_many_attempts');
  if (locked && locked.facts.retry_after != null) {
    return `Too many failed sign-ins. Try again in ${formatWait(locked.facts.retry_after)}.`;
  }
  return errorMessage(error);
}

export function LoginPage() {
  useDocumentTitle('Sign in');
  const auth = useAuth();
  const login = useLogin();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [ended] = useState(() => signOutReason() === 'rejected');
  useEffect(() => forgetSignOutReason(), []);
  const next = new URLSearchParams(location.search).get('next') || '/';

  if (auth.token && auth.user) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { username: username.trim(), password },
      { onSuccess: (t) => auth.signedIn(t.access_token) },
    );
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Incident Console</h1>
        <p className="muted">Sign in to work incidents.</p>
        {ended && (
          <p className="notice" role="status">
            Your session has ended (expired or no longer valid). Sign in again to continue.
          </p>
        )}
        <label htmlFor="login-username">Username</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          autoFocus
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {login.isError && (
          <p role="alert" className="error">
            {signInError(login.error)}
          </p>
        )}
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
