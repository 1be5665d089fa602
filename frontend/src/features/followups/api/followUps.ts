/** Follow-ups (action items): an incident's list, adding and editing one, and "My follow-ups". */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { ActionItem, ActionItemCreate, ActionItemStatus, ActionItemUpdate } from '../../../api/types';

export function useIncidentActionItems(incidentId: number) {
  return useQuery({
    queryKey: queryKeys.incident.actionItems(incidentId),
    queryFn: () => unwrap(api.GET('/incidents/{incident_id}/action-items', { params: { path: { incident_id: incidentId } } })),
  });
}

/** A follow-up changes the incident's close blockers and timeline, and every follow-up list. */
function refresh(qc: QueryClient, incidentId: number) {
  void qc.invalidateQueries({ queryKey: queryKeys.incident.detail(incidentId) });
  void qc.invalidateQueries({ queryKey: queryKeys.incidents.all() });
  void qc.invalidateQueries({ queryKey: queryKeys.actionItems.all() });
}

export function useAddActionItem(incidentId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.addActionItem(incidentId),
    mutationFn: (body: ActionItemCreate) =>
      unwrap(api.POST('/incidents/{incident_id}/action-items', { params: { path: { incident_id: incidentId } }, body })),
    onSettled: () => refresh(qc, incidentId),
  });
}

export function useUpdateActionItem(item: Pick<ActionItem, 'id' | 'incident_id'>) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateActionItem(item.id),
    mutationFn: (body: ActionItemUpdate) =>
      unwrap(api.PATCH('/action-items/{item_id}', { params: { path: { item_id: item.id } }, body })),
    onSettled: () => refresh(qc, item.incident_id),
  });
}

export interface FollowUpQuery {
  mine: boolean;
  status: ActionItemStatus;
}

/** Follow-ups across incidents, page after page: the earliest due first, so the overdue lead. */
export function useFollowUps(filters: FollowUpQuery) {
  return useInfiniteQuery({
    queryKey: queryKeys.actionItems.list(filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/action-items', {
          params: {
            query: {
              status: filters.status,
              ...(filters.mine ? { owner_id: 'me' as const } : {}),
              limit: 50,
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor,
  });
}
