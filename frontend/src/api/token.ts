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

/** Called when the server rejects the token (401) or the user logs out. */
export function onTokenCleared(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
