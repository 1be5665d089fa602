/**
 * A status move of this incident, as the header's next-step button and the Status card make
 * it. A refusal answered for an older version of the incident is no longer shown: once the RCA
 * is saved (the incident's version moves on and its `close_blockers` are read again), a
 * "Cannot close yet" refusal clears without a reload; so does a stale one after a reload, and
 * one whose close blockers have changed since (a follow-up added: the version stays).
 */
import { useState } from 'react';
import type { IncidentDetail, Status } from '../../../api/types';
import { useTransition } from '../api/incidents';

export function useMove(incident: IncidentDetail) {
  const move = useTransition(incident.id);
  const blockers = incident.close_blockers.join(',');
  const [blockersAtMove, setBlockersAtMove] = useState(blockers);
  const current = move.variables?.version === incident.version && blockersAtMove === blockers;
  return {
    mutate: (status: Status, note?: string, onSuccess?: () => void) => {
      setBlockersAtMove(blockers);
      move.mutate({ status, note, version: incident.version }, { onSuccess });
    },
    isPending: move.isPending,
    target: move.variables?.status ?? null,
    /** The refusal, while it still speaks of the incident as it is. */
    error: current ? move.error : null,
    /** The status moved to, for the confirmation. */
    moved: move.isSuccess ? move.data.status : null,
    reset: move.reset,
  };
}
