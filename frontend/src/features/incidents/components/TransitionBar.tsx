/** One button per allowed transition, named after its target status, with an optional note. */
import { useState } from 'react';
import { ApiError } from '../../../api/errors';
import type { IncidentDetail, Status } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { useTransition } from '../api/incidents';
import { RCA_FIELD_LABELS } from '../../rca';

/** "Closing needs: Contributing factors, Prevention actions." from close_blockers or a 409. */
export function closeRefusalMessage(error: unknown, blockers: string[]): string | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const text = error.message;
  const named = Object.entries(RCA_FIELD_LABELS)
    .filter(([key, label]) => text.includes(key) || text.toLowerCase().includes(label.toLowerCase()) || blockers.includes(key))
    .map(([, label]) => label);
  if (named.length === 0) return null;
  return `Cannot close yet: the RCA is missing ${named.join(', ')}. Fill these in below and save the RCA.`;
}

export function TransitionBar({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const move = useTransition(incident.id);
  const [note, setNote] = useState('');
  const [target, setTarget] = useState<Status | null>(null);

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

  const refusal = target === 'Closed' ? closeRefusalMessage(move.error, incident.close_blockers) : null;

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
      {refusal ? (
        <p className="error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {refusal}
          <span className="detail"> (server: {move.error?.message})</span>
        </p>
      ) : (
        <ActionResult error={move.error} success={move.isSuccess && `Moved to ${move.data.status}.`} />
      )}
      {incident.status === 'Resolved' && incident.close_blockers.length > 0 && !refusal && (
        <p className="muted">
          Closing needs a complete RCA; still missing:{' '}
          {incident.close_blockers.map((b) => RCA_FIELD_LABELS[b] ?? b).join(', ')}.
        </p>
      )}
    </div>
  );
}
