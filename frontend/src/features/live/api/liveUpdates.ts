/**
 * Live updates from GET /stream (server-sent events): each change refreshes the views that show it.
 * EventSource cannot send headers, so the token goes as `?access_token=`. The browser reconnects
 * by itself after a drop; when the server refuses the stream outright we retry with backoff.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queryKeys } from '../../../api/queryKeys';
import { getToken } from '../../../api/token';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

export const LIVE_EVENTS = ['incident.created', 'incident.updated', 'event.created', 'alert.updated'] as const;

/** Collects the incidents touched within a short window, then invalidates once. */
export function makeRefresher(qc: QueryClient, delayMs = 250) {
  const touched = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    void qc.invalidateQueries({ queryKey: queryKeys.incidents.all() });
    void qc.invalidateQueries({ queryKey: queryKeys.metrics.all() });
    touched.forEach((id) => void qc.invalidateQueries({ queryKey: queryKeys.incident.detail(id) }));
    touched.clear();
  };
  return {
    touch(incidentId: number | null) {
      if (incidentId !== null) touched.add(incidentId);
      timer ??= setTimeout(flush, delayMs);
    },
    everything() {
      void qc.invalidateQueries({ queryKey: queryKeys.incident.all() });
      void qc.invalidateQueries({ queryKey: queryKeys.incidents.all() });
      void qc.invalidateQueries({ queryKey: queryKeys.metrics.all() });
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  };
}

export function incidentIdOf(raw: string): number | null {
  try {
    const data = JSON.parse(raw) as { incident_id?: unknown };
    return typeof data.incident_id === 'number' ? data.incident_id : null;
  } catch {
    return null;
  }
}

export function useLiveUpdates(enabled: boolean): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>(enabled ? 'connecting' : 'off');

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const refresher = makeRefresher(qc);
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let attempts = 0;
    let wasLive = false;
    let stopped = false;

    const connect = () => {
      const token = getToken();
      if (!token || stopped) return;
      source = new EventSource(`/stream?access_token=${encodeURIComponent(token)}`);
      source.onopen = () => {
        attempts = 0;
        setState('live');
        // Anything may have changed while we were away.
        if (wasLive) refresher.everything();
        wasLive = true;
      };
      source.onerror = () => {
        if (stopped) return;
        setState('reconnecting');
        if (source?.readyState === EventSource.CLOSED) {
          source = null;
          attempts += 1;
          retry = setTimeout(connect, Math.min(30_000, 1000 * 2 ** attempts));
        }
      };
      for (const name of LIVE_EVENTS) {
        source.addEventListener(name, (e) => refresher.touch(incidentIdOf((e as MessageEvent<string>).data)));
      }
    };
    connect();
    return () => {
      stopped = true;
      refresher.cancel();
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [enabled, qc]);

  return enabled ? state : 'off';
}
