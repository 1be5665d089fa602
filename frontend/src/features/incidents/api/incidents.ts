/** Queries and mutations for one incident: read, create, triage, move, comment, runbook steps. */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { invalidateIncidents, mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { Incident, IncidentCreate, IncidentDetail, IncidentUpdate, Status } from '../../../api/types';

/** Shows the server's answer at once, before the refetch brings the new timeline events. */
function mergeIncident(qc: QueryClient, incident: Incident) {
  qc.setQueryData<IncidentDetail>(queryKeys.incident.detail(incident.id), (old) => (old ? { ...old, ...incident } : old));
}

export function useIncident(id: number) {
  return useQuery({
    queryKey: queryKeys.incident.detail(id),
    queryFn: () => unwrap(api.GET('/incidents/{incident_id}', { params: { path: { incident_id: id } } })),
    enabled: Number.isInteger(id) && id > 0,
  });
}

export function useCreateIncident() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.createIncident(),
    mutationFn: (body: IncidentCreate) => unwrap(api.POST('/incidents', { body })),
    onSuccess: (incident) => invalidateIncidents(qc, incident.id),
  });
}

/**
 * `If-Match: <version>`: the incident as this screen last saw it, the one version token of every
 * guarded write. The server refuses with 409 `stale_version` when someone changed it since,
 * instead of applying a change decided on stale information. (Bodies no longer carry `version`.)
 */
const ifMatch = (version: number) => ({ 'if-match': String(version) });

/** Triage: only the fields that changed, checked against the version the screen showed. */
export function useUpdateIncident(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateIncident(id),
    mutationFn: ({ changes, version }: { changes: Omit<IncidentUpdate, 'version'>; version: number }) =>
      unwrap(
        api.PATCH('/incidents/{incident_id}', {
          params: { path: { incident_id: id }, header: ifMatch(version) },
          body: changes,
        }),
      ),
    onSuccess: (incident) => mergeIncident(qc, incident),
    onSettled: () => invalidateIncidents(qc, id),
  });
}

export function useTransition(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.transition(id),
    mutationFn: ({ status, note, version }: { status: Status; note?: string; version: number }) =>
      unwrap(
        api.POST('/incidents/{incident_id}/status', {
          params: { path: { incident_id: id }, header: ifMatch(version) },
          body: note ? { status, note } : { status },
        }),
      ),
    onSuccess: (incident) => mergeIncident(qc, incident),
    onSettled: () => invalidateIncidents(qc, id),
  });
}

/** Pause the SLA clock with a reason, or resume it: each a timeline event, checked against the version shown. */
export function usePauseSla(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.pauseSla(id),
    mutationFn: ({ reason, version }: { reason: string; version: number }) =>
      unwrap(
        api.POST('/incidents/{incident_id}/sla/pause', {
          params: { path: { incident_id: id }, header: ifMatch(version) },
          body: { reason },
        }),
      ),
    onSuccess: (incident) => mergeIncident(qc, incident),
    onSettled: () => invalidateIncidents(qc, id),
  });
}

export function useResumeSla(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.resumeSla(id),
    mutationFn: ({ version }: { version: number }) =>
      unwrap(
        api.POST('/incidents/{incident_id}/sla/resume', {
          params: { path: { incident_id: id }, header: ifMatch(version) },
        }),
      ),
    onSuccess: (incident) => mergeIncident(qc, incident),
    onSettled: () => invalidateIncidents(qc, id),
  });
}

export function useAddComment(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.addComment(id),
    mutationFn: (body: string) =>
      unwrap(api.POST('/incidents/{incident_id}/comments', { params: { path: { incident_id: id } }, body: { body } })),
    onSettled: () => invalidateIncidents(qc, id),
  });
}

/**
 * Apply a runbook step (again), or tick (`done: true`) or untick (`done: false`) a manual check.
 * A destructive step goes with `confirmed: true`, once the person said yes.
 */
export function useApplyRunbookStep(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.applyRunbookStep(id),
    mutationFn: (step: { runbook_id: number; step_index: number; done: boolean; confirmed: boolean }) =>
      unwrap(
        api.POST('/incidents/{incident_id}/apply-runbook-step', {
          params: { path: { incident_id: id } },
          body: step,
        }),
      ),
    // Pending until the incident is read again, so a ticked box does not flip back meanwhile.
    onSettled: () => {
      invalidateIncidents(qc);
      return qc.invalidateQueries({ queryKey: queryKeys.incident.detail(id) });
    },
  });
}

/** The alerts attached to an incident (refreshed with it: same key prefix). */
export function useIncidentAlerts(id: number) {
  return useQuery({
    queryKey: queryKeys.incident.alerts(id),
    queryFn: () =>
      unwrap(api.GET('/incidents/{incident_id}/alerts', { params: { path: { incident_id: id }, query: { limit: 100 } } })),
  });
}
