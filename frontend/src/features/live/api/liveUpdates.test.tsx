import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { api } from '../../../api/client';
import { http, server } from '../../../test/utils';
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
    this.readyState = FakeEventSource.CLOSED;
  }
}

type PostResult = Awaited<ReturnType<typeof api.POST>>;

/** POST /stream/ticket answers tickets t1, t2, ... (or the given status). */
function ticketsFromTheServer(status = 200) {
  let issued = 0;
  return vi.spyOn(api, 'POST').mockImplementation(async () => {
    issued += 1;
    const response = new Response(null, { status });
    const data = status === 200 ? { ticket: `t${issued}`, expires_in: 30 } : undefined;
    return { data, error: status === 200 ? undefined : { detail: 'no' }, response } as unknown as PostResult;
  });
}

/** Lets the awaited ticket request settle. */
const settle = () => act(async () => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
});

function wrapperFor(qc: QueryClient) {
  return ({ children }: { children: ReactNode }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
}

describe('useLiveUpdates', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    window.localStorage.setItem('incident-console.token', 'tok en');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('asks for a ticket with the token in a header, and never puts the token in the URL', async () => {
    const seen: Headers[] = [];
    server.use(
      http.post('/stream/ticket', ({ request, response }) => {
        seen.push(request.headers);
        return response(200).json({ ticket: 'tick et', expires_in: 30 });
      }),
    );
    renderHook(() => useLiveUpdates(true), { wrapper: wrapperFor(new QueryClient()) });
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    expect(FakeEventSource.instances[0].url).toBe('/stream?ticket=tick%20et');
    expect(FakeEventSource.instances[0].url).not.toContain('tok');
    expect(seen).toHaveLength(1);
    expect(seen[0].get('Authorization')).toBe('Bearer tok en');
  });

  it('subscribes with a ticket and refreshes the incident and lists on each change', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    ticketsFromTheServer();
    const qc = new QueryClient();
    const invalidate = vi.spyOn(qc, 'invalidateQueries');
    const { result, unmount } = renderHook(() => useLiveUpdates(true), { wrapper: wrapperFor(qc) });
    expect(result.current).toBe('connecting');
    await settle();
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe('/stream?ticket=t1');
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

    unmount();
    expect(source.closed).toBe(true);
  });

  it('on a drop, closes the stream (its ticket is spent) and reconnects with a new ticket', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const post = ticketsFromTheServer();
    const { result } = renderHook(() => useLiveUpdates(true), { wrapper: wrapperFor(new QueryClient()) });
    await settle();
    const first = FakeEventSource.instances[0];
    act(() => first.onopen?.());
    act(() => first.onerror?.());
    expect(result.current).toBe('reconnecting');
    expect(first.closed).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(2000));
    await settle();
    expect(post).toHaveBeenCalledTimes(2);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.instances[1].url).toBe('/stream?ticket=t2');
  });

  it('backs off while the server refuses a ticket', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const post = ticketsFromTheServer(503);
    const { result } = renderHook(() => useLiveUpdates(true), { wrapper: wrapperFor(new QueryClient()) });
    await settle();
    expect(FakeEventSource.instances).toHaveLength(0);
    expect(result.current).toBe('reconnecting');
    act(() => vi.advanceTimersByTime(2000));
    await settle();
    expect(post).toHaveBeenCalledTimes(2);
    act(() => vi.advanceTimersByTime(3000));
    await settle();
    expect(post).toHaveBeenCalledTimes(2); // the next try waits 4 s
    act(() => vi.advanceTimersByTime(1000));
    await settle();
    expect(post).toHaveBeenCalledTimes(3);
  });

  it('stays off when not signed in', () => {
    const { result } = renderHook(() => useLiveUpdates(false), { wrapper: wrapperFor(new QueryClient()) });
    expect(result.current).toBe('off');
    expect(FakeEventSource.instances).toHaveLength(0);
  });

  it('reads the incident id from the event data', () => {
    expect(incidentIdOf('{"incident_id": 4}')).toBe(4);
    expect(incidentIdOf('not json')).toBeNull();
  });
});
