/** The earlier incidents most like one incident, with their root cause and corrective actions. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { queryKeys } from '../../../api/queryKeys';
import type { components } from '../../../api/schema';

export type SimilarIncident = components['schemas']['SimilarIncident'];

export function useSimilarIncidents(id: number, limit = 5) {
  return useQuery({
    queryKey: queryKeys.incident.similar(id, limit),
    queryFn: () =>
      unwrap(api.GET('/incidents/{incident_id}/similar', { params: { path: { incident_id: id }, query: { limit } } })),
    // The past changes slowly: no refetch on every timeline update of the incident in view.
    staleTime: 60_000,
  });
}
