/** Saving the RCA of an incident. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import type { RcaUpdate } from '../../../api/types';
import { invalidateIncidents } from '../../incidents/api/incidents';

export function useSaveRca(incidentId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RcaUpdate) =>
      unwrap(api.PUT('/incidents/{incident_id}/rca', { params: { path: { incident_id: incidentId } }, body })),
    onSettled: () => invalidateIncidents(qc, incidentId),
  });
}
