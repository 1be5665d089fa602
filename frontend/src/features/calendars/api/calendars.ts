/** Business-hours calendars (admins add and change them; everyone reads them) and the SLA preview. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { CalendarCreate, CalendarUpdate, Severity } from '../../../api/types';

export function useCalendars() {
  return useQuery({
    queryKey: queryKeys.calendars(),
    queryFn: () => unwrap(api.GET('/calendars')),
    staleTime: 60_000,
  });
}

export function useCreateCalendar() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.createCalendar(),
    mutationFn: (body: CalendarCreate) => unwrap(api.POST('/calendars', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.calendars() }),
  });
}

export function useUpdateCalendar(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateCalendar(id),
    mutationFn: (body: CalendarUpdate) =>
      unwrap(api.PATCH('/calendars/{calendar_id}', { params: { path: { calendar_id: id } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.calendars() }),
  });
}

export function useDeleteCalendar(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.deleteCalendar(id),
    mutationFn: () => unwrap(api.DELETE('/calendars/{calendar_id}', { params: { path: { calendar_id: id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.calendars() }),
  });
}

export interface PreviewParams {
  service_id: number;
  severity: Severity;
  start: string;
  calendar_id: number | 'none';
  ack_minutes?: number;
  resolve_minutes?: number;
}

/** The due times a policy being edited would give an incident opened at `start` (nothing saved). */
export function useSlaPreview(params: PreviewParams | null) {
  return useQuery({
    queryKey: queryKeys.slaPreview(params),
    queryFn: () => unwrap(api.GET('/sla/preview', { params: { query: params! } })),
    enabled: params !== null,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}
