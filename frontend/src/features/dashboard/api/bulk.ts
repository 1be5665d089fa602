/** Bulk triage from the dashboard: the same guarded writes as the incident page, one per row. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { errorMessage, errorWithCode } from '../../../api/errors';
import { invalidateIncidents, mutationKeys } from '../../../api/queryKeys';
import type { Incident } from '../../../api/types';

export type BulkAction = 'acknowledge' | 'assign';

/** What happened to one row: done, skipped (nothing to do) or refused (the server's reason). */
export interface RowResult {
  outcome: 'done' | 'skipped' | 'failed';
  message: string;
}

export const BULK_ACTIONS: Record<BulkAction, { button: string; verb: string; done: string }> = {
  acknowledge: { button: 'Acknowledge', verb: 'Acknowledge', done: 'Acknowledged' },
  assign: { button: 'Assign to me', verb: 'Assign to you', done: 'Assigned to you' },
};

/** The incident as this screen saw it, as `If-Match` (the detail page sends the same). */
const ifMatch = (i: Incident) => ({ 'if-match': String(i.version) });

async function applyOne(action: BulkAction, i: Incident, me: number): Promise<RowResult> {
  if (action === 'acknowledge' && i.status !== 'New') {
    return { outcome: 'skipped', message: `Already acknowledged (${i.status}): left as it is.` };
  }
  if (action === 'assign' && i.assignee_id === me) {
    return { outcome: 'skipped', message: 'Already yours.' };
  }
  try {
    if (action === 'acknowledge') {
      await unwrap(
        api.POST('/incidents/{incident_id}/status', {
          params: { path: { incident_id: i.id }, header: ifMatch(i) },
          body: { status: 'Investigating' },
        }),
      );
    } else {
      await unwrap(
        api.PATCH('/incidents/{incident_id}', {
          params: { path: { incident_id: i.id }, header: ifMatch(i) },
          body: { assignee_id: me },
        }),
      );
    }
    return { outcome: 'done', message: `${BULK_ACTIONS[action].done}.` };
  } catch (error) {
    if (errorWithCode(error, 'stale_version')) {
      return {
        outcome: 'failed',
        message: 'Not changed: someone else changed this incident after the list loaded. The list now shows their change; try again if it still needs it.',
      };
    }
    return { outcome: 'failed', message: `Not changed: ${errorMessage(error)}` };
  }
}

/** Applies `action` to each incident (each its own request, so one refusal stops no other),
 * then refreshes every list. Resolves to one result per incident id. */
export function useBulkTriage() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.bulkTriage(),
    mutationFn: async ({ action, incidents, me }: { action: BulkAction; incidents: Incident[]; me: number }) => {
      const results = await Promise.all(incidents.map((i) => applyOne(action, i, me)));
      return new Map(incidents.map((i, n) => [i.id, results[n]]));
    },
    onSettled: () => invalidateIncidents(qc),
  });
}
