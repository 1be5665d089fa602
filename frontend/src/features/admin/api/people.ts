/** People (an admin adds, edits, deactivates them and resets passwords) and API tokens (everyone's own; an admin's: all). */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { ApiTokenCreate, UserCreate, UserUpdate } from '../../../api/types';

export function usePeople() {
  return useQuery({
    queryKey: queryKeys.users(),
    queryFn: () => unwrap(api.GET('/users')),
  });
}

/** A person's change can cap or revoke their tokens, and changes the names shown everywhere. */
function refreshPeople(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: queryKeys.users() });
  void qc.invalidateQueries({ queryKey: queryKeys.apiTokens() });
}

export function useCreatePerson() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.createUser(),
    mutationFn: (body: UserCreate) => unwrap(api.POST('/users', { body })),
    onSettled: () => refreshPeople(qc),
  });
}

export function useUpdatePerson(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateUser(id),
    mutationFn: (body: UserUpdate) => unwrap(api.PATCH('/users/{user_id}', { params: { path: { user_id: id } }, body })),
    onSettled: () => refreshPeople(qc),
  });
}

export function useResetPassword(id: number) {
  return useMutation({
    mutationKey: mutationKeys.resetPassword(id),
    mutationFn: (password: string) =>
      unwrap(api.POST('/users/{user_id}/password', { params: { path: { user_id: id } }, body: { password } })),
  });
}

export function useApiTokens() {
  return useQuery({
    queryKey: queryKeys.apiTokens(),
    queryFn: () => unwrap(api.GET('/auth/tokens')),
  });
}

export function useCreateApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.createApiToken(),
    mutationFn: (body: ApiTokenCreate) => unwrap(api.POST('/auth/tokens', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}

export function useRevokeApiToken(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.revokeApiToken(id),
    mutationFn: () => unwrap(api.DELETE('/auth/tokens/{token_id}', { params: { path: { token_id: id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}
