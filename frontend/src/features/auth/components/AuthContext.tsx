/**
 * Who is signed in, and what they may do; the provider that swaps to the login screen on a 401,
 * and warns before the session runs out (SessionWarning).
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { clearToken, getToken, onTokenCleared, tokenExpired } from '../../../api/token';
import type { User } from '../../../api/types';
import { permissionsOf, useMe, type Permissions } from '../api/auth';
import { SessionWarning } from './SessionWarning';

export interface AuthState extends Permissions {
  user: User | undefined;
  token: string | null;
  loading: boolean;
  error: unknown;
  signedIn: (token: string) => void;
  logout: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [token, setTokenState] = useState<string | null>(() => {
    // A session that ran out while the console was closed: nothing on screen to keep, so the
    // sign-in screen says it ended.
    if (tokenExpired()) clearToken('rejected');
    return getToken();
  });
  const me = useMe(token !== null);

  useEffect(
    () =>
      onTokenCleared(() => {
        setTokenState(null);
        qc.clear();
      }),
    [qc],
  );

  const value = useMemo<AuthState>(
    () => ({
      ...permissionsOf(me.data),
      user: me.data,
      token,
      loading: token !== null && me.isPending,
      error: me.error,
      signedIn: (t: string) => setTokenState(t),
      logout: () => clearToken('logout'),
    }),
    [me.data, me.isPending, me.error, token],
  );
  return (
    <AuthContext.Provider value={value}>
      {children}
      {token && value.user && <SessionWarning token={token} username={value.user.username} onRenewed={setTokenState} />}
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>');
  return ctx;
}
