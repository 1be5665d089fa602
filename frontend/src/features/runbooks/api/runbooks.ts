/** Services (with their SLA policies) and runbooks: read by all, edited by admins. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import type { RunbookCreate, RunbookUpdate, ServiceCreate, ServiceUpdate } from '../../../api/types';

export function useServices() {
  return useQuery({
    queryKey: ['services'],
    queryFn: () => unwrap(api.GET('/services')),
    staleTime: 60_000,
  });
}

export function useRunbooks(serviceId?: number) {
  return useQuery({
    queryKey: ['runbooks', serviceId ?? 'all'],
    queryFn: () =>
      unwrap(api.GET('/runbooks', { params: { query: serviceId !== undefined ? { service_id: serviceId } : {} } })),
    staleTime: 60_000,
  });
}

export function useCreateRunbook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RunbookCreate) => unwrap(api.POST('/runbooks', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['runbooks'] }),
  });
}

export function useUpdateRunbook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: RunbookUpdate }) =>
      unwrap(api.PATCH('/runbooks/{runbook_id}', { params: { path: { runbook_id: id } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['runbooks'] }),
  });
}

export function useUpdateService() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: ServiceUpdate }) =>
      unwrap(api.PATCH('/services/{service_id}', { params: { path: { service_id: id } }, body })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['services'] });
      void qc.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
}

export function useCreateService() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ServiceCreate) => unwrap(api.POST('/services', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['services'] }),
  });
}
