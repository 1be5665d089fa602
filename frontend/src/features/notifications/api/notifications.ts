/** Notification channels and their deliveries: admins list, add, change, delete and test them, and retry a delivery. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { ChannelCreate, ChannelUpdate, DeliveryPage } from '../../../api/types';

const onChannel = (id: number) => ({ params: { path: { channel_id: id } } });

export function useChannels(enabled = true) {
  return useQuery({
    queryKey: queryKeys.notificationChannels.all(),
    queryFn: () => unwrap(api.GET('/notification-channels')),
    enabled,
  });
}

/**
 * A channel's deliveries, newest first, a page at a time (`next_cursor`). `poll` says, from what
 * was last read, how soon to look again (ms) or not at all: a test just sent, a delivery being retried.
 */
export function useDeliveries(
  channelId: number,
  { enabled = true, poll }: { enabled?: boolean; poll?: (pages: DeliveryPage[] | undefined) => number | false } = {},
) {
  return useInfiniteQuery({
    queryKey: queryKeys.notificationChannels.deliveries(channelId),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/notification-channels/{channel_id}/deliveries', {
          params: { path: { channel_id: channelId }, query: pageParam ? { cursor: pageParam } : {} },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
    refetchInterval: poll ? (query) => poll(query.state.data?.pages) : false,
  });
}

export function useCreateChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.createChannel(),
    mutationFn: (body: ChannelCreate) => unwrap(api.POST('/notification-channels', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.all() }),
  });
}

export function useUpdateChannel(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateChannel(id),
    mutationFn: (body: ChannelUpdate) => unwrap(api.PATCH('/notification-channels/{channel_id}', { ...onChannel(id), body })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.all() }),
  });
}

export function useDeleteChannel(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.deleteChannel(id),
    mutationFn: () => unwrap(api.DELETE('/notification-channels/{channel_id}', onChannel(id))),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.all() }),
  });
}

/** Sends a test notification; the answer is its delivery, followed in the deliveries list. */
export function useTestChannel(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.testChannel(id),
    mutationFn: () => unwrap(api.POST('/notification-channels/{channel_id}/test', onChannel(id))),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.deliveries(id) }),
  });
}

export function useRetryDelivery(channelId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.retryDelivery(channelId),
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/notification-channels/{channel_id}/deliveries/{delivery_id}/retry', {
          params: { path: { channel_id: channelId, delivery_id: deliveryId } },
        }),
      ),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.deliveries(channelId) });
      // The channel's failing state may change with it.
      void qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.all() });
    },
  });
}
