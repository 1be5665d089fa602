/** Notification channels and their deliveries: admins list, add, change, delete and test them, and retry a delivery. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';
import type { Channel, ChannelCreate, ChannelUpdate, Delivery, DeliveryPage } from './contract';
import { channelPath, request } from './request';

export function useChannels(enabled = true) {
  return useQuery({
    queryKey: queryKeys.notificationChannels.all(),
    queryFn: () => request<Channel[]>('GET', '/notification-channels'),
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
      request<DeliveryPage>('GET', `${channelPath(channelId)}/deliveries${pageParam ? `?cursor=${encodeURIComponent(pageParam)}` : ''}`),
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
    mutationFn: (body: ChannelCreate) => request<Channel>('POST', '/notification-channels', body),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.all() }),
  });
}

export function useUpdateChannel(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.updateChannel(id),
    mutationFn: (body: ChannelUpdate) => request<Channel>('PATCH', channelPath(id), body),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.all() }),
  });
}

export function useDeleteChannel(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.deleteChannel(id),
    mutationFn: () => request<void>('DELETE', channelPath(id)),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.all() });
      // A deleted channel drops out of every escalation policy that named it.
      void qc.invalidateQueries({ queryKey: queryKeys.services() });
    },
  });
}

/** Sends a test notification; the answer is its delivery (followed in the deliveries list). */
export function useTestChannel(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.testChannel(id),
    mutationFn: () => request<Delivery>('POST', `${channelPath(id)}/test`),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.deliveries(id) }),
  });
}

export function useRetryDelivery(channelId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.retryDelivery(channelId),
    mutationFn: (deliveryId: string) =>
      request<Delivery>('POST', `${channelPath(channelId)}/deliveries/${encodeURIComponent(deliveryId)}/retry`),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.notificationChannels.deliveries(channelId) }),
  });
}
