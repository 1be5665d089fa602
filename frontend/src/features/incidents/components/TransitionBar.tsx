/**
 * Every allowed move with an optional note (the header's main button takes the next step
 * without one), and, once Resolved, what closing still needs as a checklist. A refusal is read
 * by code in src/api/errors.ts: a blocked close names the missing RCA sections, an illegal move
 * where the incident may go, a stale one offers to reload.
 */
import { useState } from 'react';
import type { IncidentDetail } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { useReloadIncident } from '../../../api/queryKeys';
import { CloseChecklist } from './CloseChecklist';
import { nextStep } from './moves';
import { useMove } from './useMove';

export function TransitionBar({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const move = useMove(incident);
  const [note, setNote] = useState('');
  const reload = useReloadIncident(incident.id);
  const checklist = incident.status === 'Resolved' && <CloseChecklist incident={incident} />;

  if (incident.allowed_transitions.length === 0) {
    return (
      <>
        <p className="muted">This incident is {incident.status}: no further transitions.</p>
        <ActionResult success={move.moved && `Moved to ${move.moved}.`} />
      </>
    );
  }
  if (!canAct) {
    return (
      <>
        <p className="muted">
          Next steps: {incident.allowed_transitions.join(', ')} (read-only: your role cannot change incidents)
        </p>
        {checklist}
      </>
    );
  }
  const next = nextStep(incident);

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
            className={status === next?.to ? 'primary' : ''}
            disabled={move.isPending}
            onClick={() => move.mutate(status, note.trim() || undefined, () => setNote(''))}
          >
            {status}
          </button>
        ))}
      </div>
      {move.isPending && <p role="status">Moving to {move.target}…</p>}
      <ActionResult
        error={move.error}
        success={move.moved && `Moved to ${move.moved}.`}
        onReload={() => {
          move.reset();
          reload();
        }}
      />
      {checklist}
    </div>
  );
}
