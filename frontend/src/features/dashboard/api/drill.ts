/** The synthetic alert drill: POST /alerts/generate through the real intake. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { invalidateIncidents, mutationKeys } from '../../../api/queryKeys';

export function useAlertDrill() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.alertDrill(),
    mutationFn: (count: number) => unwrap(api.POST('/alerts/generate', { body: { count } })),
    onSettled: () => invalidateIncidents(qc),
  });
}
