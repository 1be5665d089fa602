/** Who is signed in, and what they may do; the provider that swaps to the login screen on a 401. */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { clearToken, getToken, onTokenCleared } from '../../../api/token';
import type { User } from '../../../api/types';
import { permissionsOf, useMe, type Permissions } from '../api/auth';

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
  const [token, setTokenState] = useState<string | null>(() => getToken());
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
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>');
  return ctx;
}
