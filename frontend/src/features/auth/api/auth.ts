/** Login, the current user and the user directory. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { getToken, setToken } from '../../../api/token';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { User } from '../../../api/types';

export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.me(),
    queryFn: () => unwrap(api.GET('/auth/me')),
    enabled,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.login(),
    mutationFn: (credentials: { username: string; password: string }) =>
      unwrap(api.POST('/auth/login', { body: credentials })),
    onSuccess: (token) => {
      setToken(token.access_token);
      qc.clear();
    },
  });
}

/**
 * Signing in again as the same user before (or after) the session runs out, from a dialog
 * over the page: the new token replaces the old one and every query refetches, but nothing is
 * cleared, so the screen and whatever the user was typing stay.
 */
export function useRenewSession() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.login(),
    mutationFn: (credentials: { username: string; password: string }) =>
      unwrap(api.POST('/auth/login', { body: credentials })),
    onSuccess: (token) => {
      setToken(token.access_token);
      void qc.invalidateQueries();
    },
  });
}

export function useUsers() {
  return useQuery({
    queryKey: queryKeys.users(),
    queryFn: () => unwrap(api.GET('/users')),
    staleTime: 5 * 60_000,
    enabled: getToken() !== null,
  });
}

export type Permissions = {
  canWorkIncidents: boolean;
  canAdminister: boolean;
};

export function permissionsOf(user: User | undefined): Permissions {
  const role = user?.role;
  return {
    canWorkIncidents: role === 'admin' || role === 'responder',
    canAdminister: role === 'admin',
  };
}
