/**
 * One button per allowed transition, named after its target status, with an optional note.
 * A refusal is read by code in src/api/errors.ts: a blocked close names the missing RCA
 * sections (`missing`), an illegal move where the incident may go (`allowed`), a stale one
 * offers to reload.
 */
import { useState } from 'react';
import type { IncidentDetail, Status } from '../../../api/types';
import { rcaSectionName } from '../../../api/rcaFields';
import { ActionResult } from '../../../components/States';
import { useReloadIncident } from '../../../api/queryKeys';
import { useTransition } from '../api/incidents';

export function TransitionBar({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const move = useTransition(incident.id);
  const [note, setNote] = useState('');
  const [target, setTarget] = useState<Status | null>(null);
  const reload = useReloadIncident(incident.id);

  if (incident.allowed_transitions.length === 0) {
    return (
      <>
        <p className="muted">This incident is {incident.status}: no further transitions.</p>
        <ActionResult success={move.isSuccess && `Moved to ${move.data.status}.`} />
      </>
    );
  }
  if (!canAct) {
    return (
      <p className="muted">
        Next steps: {incident.allowed_transitions.join(', ')} (read-only: your role cannot change incidents)
      </p>
    );
  }

  return (
    <div className="transitions" role="group" aria-label="Move incident">
      <label htmlFor="transition-note">Note for the status change (optional)</label>
      <input
        id="transition-note"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        placeholder="e.g. rolled back deploy 4512"
      />
      <div className="actions">
        {incident.allowed_transitions.map((status) => (
          <button
            key={status}
            type="button"
            className={status === 'Investigating' && incident.status !== 'New' ? '' : 'primary'}
            disabled={move.isPending}
            onClick={() => {
              setTarget(status);
              move.mutate(
                { status, note: note.trim() || undefined, version: incident.version },
                { onSuccess: () => setNote('') },
              );
            }}
          >
            {status}
          </button>
        ))}
      </div>
      {move.isPending && <p role="status">Moving to {target}…</p>}
      <ActionResult
        error={move.error}
        success={move.isSuccess && `Moved to ${move.data.status}.`}
        onReload={() => {
          move.reset();
          reload();
        }}
      />
      {incident.status === 'Resolved' && incident.close_blockers.length > 0 && !move.error && (
        <p className="muted">
          Closing needs a complete RCA; still missing:{' '}
          {incident.close_blockers.map(rcaSectionName).join(', ')}.
        </p>
      )}
    </div>
  );
}
