/** The synthetic alert drill: POST /alerts/generate through the real intake. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { invalidateIncidents } from '../../incidents/api/incidents';

export function useAlertDrill() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (count: number) => unwrap(api.POST('/alerts/generate', { body: { count } })),
    onSettled: () => invalidateIncidents(qc),
  });
}
