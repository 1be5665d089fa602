/**
 * The sign-in screen: username and password, and "Sign in with <provider>" when single sign-on
 * is set up. The provider sends the browser back here with `?sso=complete` (the page then
 * trades the server's single-use cookie for its token) or `?sso_error=<reason>` (said plainly).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router';
import { errorMessage, errorWithCode } from '../../../api/errors';
import { formatWait } from '../../../lib/format';
import { forgetSignOutReason, signOutReason } from '../../../api/token';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useLogin } from '../api/auth';
import {
  forgetNext,
  rememberedNext,
  rememberNext,
  SSO_LOGIN_PATH,
  ssoErrorMessage,
  useAuthConfig,
  useFinishSso,
} from '../api/sso';
import { useAuth } from './AuthContext';
import './LoginPage.css';

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
  const config = useAuthConfig();
  const finishSso = useFinishSso();
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const ssoComplete = params.get('sso') === 'complete';
  const ssoError = params.get('sso_error');
  const [ended] = useState(() => signOutReason() === 'rejected');
  const [ssoNext] = useState(() => (ssoComplete ? rememberedNext() : null));
  useEffect(() => forgetSignOutReason(), []);
  const next = params.get('next') || ssoNext || '/';

  // Back from the provider: trade the single-use cookie for a token, once (not again on a re-render).
  const finishing = useRef(false);
  const { mutate: finish } = finishSso;
  const { signedIn } = auth;
  useEffect(() => {
    if (!ssoComplete || finishing.current) return;
    finishing.current = true;
    finish(undefined, {
      onSuccess: (t) => {
        forgetNext();
        signedIn(t.access_token);
      },
    });
  }, [ssoComplete, finish, signedIn]);

  if (auth.token && auth.user) return <Navigate to={next} replace />;

  const oidc = config.data?.oidc ?? null;
  const providerName = oidc?.name ?? 'your identity provider';
  const passwordLogin = config.data?.password_login ?? true;

  return (
    <main className="login">
      <div className="card login-card">
        <h1 id="login-title">Incident Console</h1>
        <p className="muted">Sign in to work incidents.</p>
        {ended && (
          <p className="notice" role="status">
            Your session has ended (expired or no longer valid). Sign in again to continue.
          </p>
        )}
        {ssoComplete && !finishSso.isError && (
          <p className="notice" role="status">
            Finishing sign-in…
          </p>
        )}
        {finishSso.isError && (
          <p role="alert" className="error">
            {errorMessage(finishSso.error)}
          </p>
        )}
        {ssoError && (
          <p role="alert" className="error">
            {ssoErrorMessage(ssoError, providerName)}
          </p>
        )}
        {oidc && (
          <a className="button primary sso-button" href={SSO_LOGIN_PATH} onClick={() => rememberNext(next)}>
            Sign in with {oidc.name}
          </a>
        )}
        {oidc && passwordLogin && (
          <p className="login-divider" aria-hidden="true">
            <span>or</span>
          </p>
        )}
        {oidc && !passwordLogin ? (
          <details className="break-glass">
            <summary>Emergency sign-in with a password</summary>
            <PasswordForm primary={false} onSignedIn={signedIn} />
          </details>
        ) : (
          <PasswordForm primary={!oidc} onSignedIn={signedIn} />
        )}
      </div>
    </main>
  );
}

function PasswordForm({ primary, onSignedIn }: { primary: boolean; onSignedIn: (token: string) => void }) {
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ username: username.trim(), password }, { onSuccess: (t) => onSignedIn(t.access_token) });
  };

  return (
    <form onSubmit={submit} aria-labelledby="login-title">
      <label htmlFor="login-username">Username</label>
      <input
        id="login-username"
        name="username"
        autoComplete="username"
        autoFocus={primary}
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
      <button type="submit" className={primary ? 'primary' : undefined} disabled={login.isPending}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
