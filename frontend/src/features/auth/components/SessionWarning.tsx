/**
 * The session's end, told ahead: the token's own `exp` is known, so a bar warns a couple of
 * minutes before it runs out, and a dialog over the page takes the password to sign in again.
 * Nothing under it unmounts or is cleared, so the screen and anything typed into it stay. Once
 * the session has run out the dialog opens by itself (a 401 then keeps the page, see api/client).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { clearToken, tokenExpiry } from '../../../api/token';
import { useNow } from '../../../components/useNow';
import { formatDuration } from '../../../lib/format';
import { useRenewSession } from '../api/auth';
import { signInError } from './LoginPage';
import './SessionWarning.css';

/** How long before the end the warning appears. */
const WARN_BEFORE_MS = 2 * 60_000;

export function SessionWarning({
  token,
  username,
  onRenewed,
}: {
  token: string;
  username: string;
  /** The new token, for the auth state. */
  onRenewed: (token: string) => void;
}) {
  const now = useNow(1000);
  const expiry = tokenExpiry(token);
  const [dialogWanted, setDialogWanted] = useState(false);
  const [dismissedEnd, setDismissedEnd] = useState<number | null>(null);
  const remaining = expiry === null ? Infinity : expiry - now;
  const ended = remaining <= 0;
  // Once ended, the dialog opens by itself (unless the user closed it for this session's end).
  const open = dialogWanted || (ended && dismissedEnd !== expiry);
  if (remaining > WARN_BEFORE_MS) return null;
  return (
    <>
      <div className="session-warning" role="status">
        <p>
          <span aria-hidden="true">⚠ </span>
          {ended ? (
            'Your session has ended.'
          ) : (
            <>
              <span className="visually-hidden">Your session ends soon.</span>
              <span aria-hidden="true">Your session ends in {formatDuration(remaining / 1000)}.</span>
            </>
          )}{' '}
          Sign in again to keep working; this page stays as it is.
        </p>
        <button type="button" className="primary" onClick={() => setDialogWanted(true)}>
          Renew session
        </button>
      </div>
      {open && (
        <RenewDialog
          username={username}
          ended={ended}
          onRenewed={onRenewed}
          onDone={() => {
            setDialogWanted(false);
            setDismissedEnd(expiry);
          }}
        />
      )}
    </>
  );
}

function RenewDialog({
  username,
  ended,
  onRenewed,
  onDone,
}: {
  username: string;
  ended: boolean;
  onRenewed: (token: string) => void;
  onDone: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const renew = useRenewSession();
  const [password, setPassword] = useState('');
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    renew.mutate(
      { username, password },
      {
        onSuccess: (t) => {
          onRenewed(t.access_token);
          onDone();
        },
      },
    );
  };

  return (
    <dialog ref={ref} className="session-dialog" aria-labelledby="session-dialog-title" onClose={onDone}>
      <form onSubmit={submit}>
        <h2 id="session-dialog-title">Sign in again</h2>
        <p>
          {ended ? 'Your session has ended.' : 'Your session is about to end.'} Signed in as <strong>{username}</strong>;
          this page and anything you typed stay as they are.
        </p>
        {/* For password managers: the account this password is for. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <label htmlFor="session-password">Password</label>
        <input
          id="session-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {renew.isError && (
          <p role="alert" className="error">
            {signInError(renew.error)}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={renew.isPending}>
            {renew.isPending ? 'Signing in…' : 'Sign in again'}
          </button>
          {ended ? (
            <button type="button" onClick={() => clearToken('rejected')}>
              Go to the sign-in screen
            </button>
          ) : (
            <button type="button" onClick={onDone}>
              Not now
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
