/** Where the access token lives between page loads, and who is told when it goes away. */
const KEY = 'incident-console.token';

type Listener = () => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  window.localStorage.setItem(KEY, token);
}

const REASON_KEY = 'incident-console.signed-out';

/** `rejected`: the server answered 401 (expired, revoked or forged); `logout`: the user chose to. */
export function clearToken(reason: 'rejected' | 'logout' = 'rejected'): void {
  const had = window.localStorage.getItem(KEY) !== null;
  window.localStorage.removeItem(KEY);
  if (had && reason === 'rejected') window.sessionStorage.setItem(REASON_KEY, reason);
  listeners.forEach((l) => l());
}

/** Why the last session ended, for the login screen (which then forgets it). */
export function signOutReason(): string | null {
  return window.sessionStorage.getItem(REASON_KEY);
}

export function forgetSignOutReason(): void {
  window.sessionStorage.removeItem(REASON_KEY);
}

/**
 * When the token stops being valid, in ms since the epoch: its `exp` claim (a JWT's payload is
 * readable by anyone; only the server can trust it). Null when it is not a JWT with an `exp`.
 */
export function tokenExpiry(token: string | null): number | null {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp: unknown = JSON.parse(json).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * The stored token has run out by its own `exp`. A 401 then means "sign in again", which the
 * console offers in a dialog over the page (features/auth SessionWarning) instead of leaving it.
 */
export function tokenExpired(now = Date.now()): boolean {
  const exp = tokenExpiry(getToken());
  return exp !== null && exp <= now;
}

/** Called when the server rejects the token (401) or the user logs out. */
export function onTokenCleared(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
