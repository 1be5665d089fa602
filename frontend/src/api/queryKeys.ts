/**
 * Every React Query key the console uses, in one place. Queries, mutations, invalidations and
 * cache writes take their keys from here, so a refresh can never miss a screen because two
 * modules spelled the same key differently. Keys are hierarchical: invalidating a prefix
 * (`incidents.all()`) refreshes everything under it.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';

export const queryKeys = {
  me: () => ['me'] as const,
  /** How the login page may sign in: password, single sign-on, or both. */
  authConfig: () => ['auth-config'] as const,
  users: () => ['users'] as const,
  /** API tokens: the caller's own, or everyone's for an admin. */
  apiTokens: () => ['api-tokens'] as const,
  /** The people who can own incidents (`GET /users?assignable=true`): under users(). */
  assignableUsers: () => ['users', 'assignable'] as const,
  services: () => ['services'] as const,
  runbooks: {
    all: () => ['runbooks'] as const,
    /** The runbooks of one service, or of every service. */
    of: (serviceId?: number) => ['runbooks', serviceId ?? 'all'] as const,
  },
  /** Incident lists and counts (the dashboard). */
  incidents: {
    all: () => ['incidents'] as const,
    list: <F>(filters: F) => ['incidents', 'list', filters] as const,
    openCounts: () => ['incidents', 'open-counts'] as const,
  },
  /** One incident and what hangs off it (refreshed together: same prefix). Its reference for people ("INC-7") is lib/format's incidentRef. */
  incident: {
    all: () => ['incident'] as const,
    detail: (id: number) => ['incident', id] as const,
    alerts: (id: number) => ['incident', id, 'alerts'] as const,
    /** The earlier incidents most like it (`GET /incidents/{id}/similar`). */
    similar: (id: number, limit: number) => ['incident', id, 'similar', limit] as const,
    /** Its follow-ups (refreshed with the incident: a live event on it refreshes them too). */
    actionItems: (id: number) => ['incident', id, 'action-items'] as const,
  },
  /** Follow-ups across incidents ("My follow-ups"). */
  actionItems: {
    all: () => ['action-items'] as const,
    list: <F>(filters: F) => ['action-items', filters] as const,
  },
  metrics: {
    all: () => ['metrics'] as const,
    filtered: <F>(filters: F) => ['metrics', filters] as const,
  },
  /** Business-hours calendars, and the SLA preview of a policy being edited. */
  calendars: () => ['calendars'] as const,
  slaPreview: <P>(params: P) => ['sla-preview', params] as const,
  /** Notification channels (admins) and, under each, its deliveries. */
  notificationChannels: {
    all: () => ['notification-channels'] as const,
    deliveries: (id: number) => ['notification-channels', id, 'deliveries'] as const,
  },
} as const;

/** Mutation keys: they name each write (React Query's devtools and `useIsMutating` read them). */
export const mutationKeys = {
  login: () => ['login'] as const,
  ssoSession: () => ['login', 'sso'] as const,
  createUser: () => ['users', 'create'] as const,
  updateUser: (id: number) => ['users', id, 'update'] as const,
  resetPassword: (id: number) => ['users', id, 'password'] as const,
  createApiToken: () => ['api-tokens', 'create'] as const,
  revokeApiToken: (id: number) => ['api-tokens', id, 'revoke'] as const,
  alertDrill: () => ['alerts', 'generate'] as const,
  createIncident: () => ['incidents', 'create'] as const,
  bulkTriage: () => ['incidents', 'bulk-triage'] as const,
  updateIncident: (id: number) => ['incident', id, 'update'] as const,
  transition: (id: number) => ['incident', id, 'status'] as const,
  addComment: (id: number) => ['incident', id, 'comment'] as const,
  applyRunbookStep: (id: number) => ['incident', id, 'apply-runbook-step'] as const,
  starEvent: (id: number) => ['incident', id, 'star'] as const,
  saveRca: (id: number) => ['incident', id, 'rca'] as const,
  addActionItem: (id: number) => ['incident', id, 'action-items', 'add'] as const,
  updateActionItem: (id: number) => ['action-items', id, 'update'] as const,
  pauseSla: (id: number) => ['incident', id, 'sla-pause'] as const,
  resumeSla: (id: number) => ['incident', id, 'sla-resume'] as const,
  createCalendar: () => ['calendars', 'create'] as const,
  updateCalendar: (id: number) => ['calendars', id, 'update'] as const,
  deleteCalendar: (id: number) => ['calendars', id, 'delete'] as const,
  createRunbook: () => ['runbooks', 'create'] as const,
  updateRunbook: () => ['runbooks', 'update'] as const,
  createService: () => ['services', 'create'] as const,
  updateService: () => ['services', 'update'] as const,
  createChannel: () => ['notification-channels', 'create'] as const,
  updateChannel: (id: number) => ['notification-channels', id, 'update'] as const,
  deleteChannel: (id: number) => ['notification-channels', id, 'delete'] as const,
  testChannel: (id: number) => ['notification-channels', id, 'test'] as const,
  retryDelivery: (id: number) => ['notification-channels', id, 'retry'] as const,
} as const;

/** Everything that shows incidents: the lists, the counts, the metrics and (given an id) the detail. */
export function invalidateIncidents(qc: QueryClient, id?: number) {
  void qc.invalidateQueries({ queryKey: queryKeys.incidents.all() });
  void qc.invalidateQueries({ queryKey: queryKeys.metrics.all() });
  if (id !== undefined) void qc.invalidateQueries({ queryKey: queryKeys.incident.detail(id) });
}

/** Fetches an incident (and what shows it) again: after a refusal that says the screen is out of date. */
export function useReloadIncident(id: number) {
  const qc = useQueryClient();
  return () => invalidateIncidents(qc, id);
}
