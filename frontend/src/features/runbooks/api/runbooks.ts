/** Services (with their SLA policies) and runbooks: read by all, edited by admins. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { RunbookCreate, RunbookUpdate, ServiceCreate, ServiceUpdate } from '../../../api/types';


export function useServices() {
  return useQuery({
    queryKey: queryKeys.services(),
    queryFn: () => unwrap(api.GET('/services')),
    staleTime: 60_000,
  });
}

export function useRunbooks(serviceId?: number) {
  return useQuery({
    queryKey: queryKeys.runbooks.of(serviceId),
    queryFn: () =>
      unwrap(api.GET('/runbooks', { params: { query: serviceId !== undefined ? { service_id: serviceId } : {} } })),
    staleTime: 60_000,
  });
}

export function useCreateRunbook() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.createRunbook(),
    mutationFn: (body: RunbookCreate) => unwrap(api.POST('/runbooks', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.runbooks.all() }),
  });
}

export function useUpdateRunbook() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateRunbook(),
    mutationFn: ({ id, body }: { id: number; body: RunbookUpdate }) =>
      unwrap(api.PATCH('/runbooks/{runbook_id}', { params: { path: { runbook_id: id } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.runbooks.all() }),
  });
}

export function useUpdateService() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateService(),
    mutationFn: ({ id, body }: { id: number; body: ServiceUpdate }) =>
      unwrap(api.PATCH('/services/{service_id}', { params: { path: { service_id: id } }, body })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.services() });
      void qc.invalidateQueries({ queryKey: queryKeys.incidents.all() });
    },
  });
}

export function useCreateService() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.createService(),
    mutationFn: (body: ServiceCreate) => unwrap(api.POST('/services', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.services() }),
  });
}
