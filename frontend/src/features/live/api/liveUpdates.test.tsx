import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { incidentIdOf, useLiveUpdates } from './liveUpdates';

class FakeEventSource {
  static CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  closed = false;
  constructor(public url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(name: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  emit(name: string, data: unknown) {
    this.listeners.get(name)?.forEach((fn) => fn(new MessageEvent(name, { data: JSON.stringify(data) })));
  }
  close() {
    this.closed = true;
  }
}

describe('useLiveUpdates', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    window.localStorage.setItem('incident-console.token', 'tok en');
  });

  it('subscribes with the token and refreshes the incident and lists on each change', async () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    const invalidate = vi.spyOn(qc, 'invalidateQueries');
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
    const { result, unmount } = renderHook(() => useLiveUpdates(true), { wrapper });
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe('/stream?access_token=tok%20en');
    expect(result.current).toBe('connecting');
    act(() => source.onopen?.());
    expect(result.current).toBe('live');

    act(() => {
      source.emit('event.created', { incident_id: 7, type: 'comment' });
      source.emit('incident.updated', { incident_id: 7 });
      source.emit('incident.created', { incident_id: 9 });
    });
    expect(invalidate).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(300));
    const keys = invalidate.mock.calls.map((c) => JSON.stringify(c[0]?.queryKey));
    expect(keys).toEqual(['["incidents"]', '["metrics"]', '["incident",7]', '["incident",9]']);

    act(() => source.onerror?.());
    expect(result.current).toBe('reconnecting');
    unmount();
    expect(source.closed).toBe(true);
    vi.useRealTimers();
  });

  it('reconnects with backoff when the server closes the stream', () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
    renderHook(() => useLiveUpdates(true), { wrapper });
    const first = FakeEventSource.instances[0];
    first.readyState = FakeEventSource.CLOSED;
    act(() => first.onerror?.());
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(2000));
    expect(FakeEventSource.instances).toHaveLength(2);
    vi.useRealTimers();
  });

  it('stays off when not signed in', () => {
    const qc = new QueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
    const { result } = renderHook(() => useLiveUpdates(false), { wrapper });
    expect(result.current).toBe('off');
    expect(FakeEventSource.instances).toHaveLength(0);
  });

  it('reads the incident id from the event data', () => {
    expect(incidentIdOf('{"incident_id": 4}')).toBe(4);
    expect(incidentIdOf('not json')).toBeNull();
  });
});
