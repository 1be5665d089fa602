/** Saving the RCA of an incident. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import type { RcaUpdate } from '../../../api/types';
import { invalidateIncidents, mutationKeys } from '../../../api/queryKeys';

export function useSaveRca(incidentId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.saveRca(incidentId),
    // If-Match (the one version token of guarded writes): the incident version the draft was
    // written against; a 409 stale_version keeps the draft.
    mutationFn: ({ body, version }: { body: RcaUpdate; version: number }) =>
      unwrap(
        api.PUT('/incidents/{incident_id}/rca', {
          params: { path: { incident_id: incidentId }, header: { 'if-match': String(version) } },
          body,
        }),
      ),
    onSettled: () => invalidateIncidents(qc, incidentId),
  });
}
