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

export function clearToken(): void {
  window.localStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

/** Called when the server rejects the token (401) or the user logs out. */
export function onTokenCleared(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
