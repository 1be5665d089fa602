/** Key events: starring a timeline event (its own record on the server; the event never changes). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { IncidentDetail, TimelineEvent } from '../../../api/types';

function replaceEvent(detail: IncidentDetail | undefined, event: Partial<TimelineEvent> & { id: number }) {
  if (!detail) return detail;
  return { ...detail, events: detail.events.map((e) => (e.id === event.id ? { ...e, ...event } : e)) };
}

/** Star (or unstar) one event of the incident: shown at once, then confirmed by the server's answer. */
export function useStarEvent(incidentId: number) {
  const qc = useQueryClient();
  const key = queryKeys.incident.detail(incidentId);
  return useMutation({
    mutationKey: mutationKeys.starEvent(incidentId),
    mutationFn: ({ eventId, starred }: { eventId: number; starred: boolean }) => {
      const params = { path: { incident_id: incidentId, event_id: eventId } };
      return unwrap(
        starred
          ? api.PUT('/incidents/{incident_id}/events/{event_id}/star', { params })
          : api.DELETE('/incidents/{incident_id}/events/{event_id}/star', { params }),
      );
    },
    onMutate: async ({ eventId, starred }) => {
      await qc.cancelQueries({ queryKey: key, exact: true });
      const before = qc.getQueryData<IncidentDetail>(key);
      qc.setQueryData<IncidentDetail>(key, (old) => replaceEvent(old, { id: eventId, starred }));
      return { before };
    },
    onError: (_error, _vars, context) => {
      if (context?.before) qc.setQueryData(key, context.before);
    },
    onSuccess: (event) => qc.setQueryData<IncidentDetail>(key, (old) => replaceEvent(old, event)),
    onSettled: () => void qc.invalidateQueries({ queryKey: key, exact: true }),
  });
}
