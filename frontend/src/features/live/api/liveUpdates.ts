/**
 * Live updates from GET /stream (server-sent events): each change refreshes the views that show it.
 * EventSource cannot send headers, and a bearer token in a URL ends up in proxy logs and browser
 * history: each connection trades the token (sent as a header) for a single-use ticket from
 * POST /stream/ticket and opens `/stream?ticket=...`. A ticket works once, so the browser's own
 * reconnect cannot reuse it: on any drop we close the stream and reconnect with a new ticket,
 * backing off while it keeps failing. The server ends the stream when the user may no longer read.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../../api/client';
import { queryKeys } from '../../../api/queryKeys';
import { getToken } from '../../../api/token';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

/** `event.updated`: a timeline event's star changed (the event itself never does). */
export const LIVE_EVENTS = ['incident.created', 'incident.updated', 'event.created', 'event.updated', 'alert.updated'] as const;

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

/** A single-use ticket for the stream, or null when the server would not give one. */
export async function streamTicket(): Promise<string | null> {
  try {
    const { data, response } = await api.POST('/stream/ticket');
    return response.ok && data ? data.ticket : null;
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

    const later = () => {
      attempts += 1;
      retry = setTimeout(() => void connect(), Math.min(30_000, 1000 * 2 ** attempts));
    };

    const connect = async () => {
      retry = null;
      if (!getToken() || stopped) return;
      const ticket = await streamTicket();
      if (stopped) return;
      if (!ticket) {
        setState('reconnecting');
        later();
        return;
      }
      const opened = new EventSource(`/stream?ticket=${encodeURIComponent(ticket)}`);
      source = opened;
      opened.onopen = () => {
        attempts = 0;
        setState('live');
        // Anything may have changed while we were away.
        if (wasLive) refresher.everything();
        wasLive = true;
      };
      opened.onerror = () => {
        if (stopped || source !== opened) return;
        setState('reconnecting');
        // The ticket is spent: never let the browser retry with it; reconnect with a new one.
        opened.close();
        source = null;
        later();
      };
      for (const name of LIVE_EVENTS) {
        opened.addEventListener(name, (e) => refresher.touch(incidentIdOf((e as MessageEvent<string>).data)));
      }
    };
    void connect();
    return () => {
      stopped = true;
      refresher.cancel();
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [enabled, qc]);

  return enabled ? state : 'off';
}
