/** The SLA panel: ack and resolve due times, whether each was breached, the state now, and pausing the clock. */
import { useState } from 'react';
import type { IncidentDetail } from '../../../api/types';
import { SlaCell } from '../../../components/Badges';
import { ActionResult } from '../../../components/States';
import { FullTime } from '../../../components/Time';
import { formatDuration } from '../../../lib/format';
import { usePauseSla, useResumeSla } from '../api/incidents';

function Outcome({ breached, doneAt }: { breached: boolean; doneAt: string | null }) {
  if (breached) return <span className="text-breached"><span aria-hidden="true">✖ </span>breached</span>;
  if (doneAt) return <span className="text-met"><span aria-hidden="true">✔ </span>met</span>;
  return <span className="muted">pending</span>;
}

/** Statuses whose clock a responder may pause (the server's rule: acknowledged, not yet resolved). */
const PAUSABLE = ['Investigating', 'Mitigated'];

function PauseControls({ incident }: { incident: IncidentDetail }) {
  const pause = usePauseSla(incident.id);
  const resume = useResumeSla(incident.id);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const paused = incident.sla.state === 'paused';
  if (!paused && !PAUSABLE.includes(incident.status)) return null;
  if (paused) {
    return (
      <div className="sla-pause">
        <button type="button" disabled={resume.isPending} onClick={() => resume.mutate({ version: incident.version })}>
          {resume.isPending ? 'Resuming…' : 'Resume SLA clock'}
        </button>
        <ActionResult error={resume.error} />
      </div>
    );
  }
  if (!asking) {
    return (
      <div className="sla-pause">
        <button type="button" onClick={() => setAsking(true)}>
          Pause SLA clock
        </button>
      </div>
    );
  }
  return (
    <form
      className="sla-pause"
      aria-label="Pause the SLA clock"
      onSubmit={(e) => {
        e.preventDefault();
        pause.mutate(
          { reason: reason.trim(), version: incident.version },
          {
            onSuccess: () => {
              setAsking(false);
              setReason('');
            },
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor="sla-pause-reason">Why is the clock paused?</label>
        <input
          id="sla-pause-reason"
          required
          maxLength={500}
          value={reason}
          placeholder="Waiting on the vendor"
          onChange={(e) => setReason(e.target.value)}
          aria-describedby="sla-pause-hint"
        />
        <p id="sla-pause-hint" className="muted hint">
          Nothing breaches while paused; on resume the due times move later by the paused business time.
        </p>
      </div>
      <ActionResult error={pause.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pause.isPending || !reason.trim()}>
          {pause.isPending ? 'Pausing…' : 'Pause'}
        </button>
        <button type="button" onClick={() => setAsking(false)} disabled={pause.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function SlaPanel({ incident, canAct = false }: { incident: IncidentDetail; canAct?: boolean }) {
  const { sla } = incident;
  return (
    <section className="card" aria-labelledby="sla-title">
      <h2 id="sla-title">SLA</h2>
      <p>
        <SlaCell sla={sla} resolvedAt={incident.resolved_at} />
      </p>
      <dl className="facts">
        <dt>Acknowledge by</dt>
        <dd>
          <FullTime iso={sla.ack_due_at} /> · <Outcome breached={sla.ack_breached} doneAt={incident.acknowledged_at} />
        </dd>
        <dt>Resolve by</dt>
        <dd>
          <FullTime iso={sla.resolve_due_at} /> · <Outcome breached={sla.resolve_breached} doneAt={incident.resolved_at} />
        </dd>
        {sla.calendar_id !== null && (
          <>
            <dt>Clock</dt>
            <dd>Business hours only</dd>
          </>
        )}
        {sla.paused_at && (
          <>
            <dt>Paused since</dt>
            <dd>
              <FullTime iso={sla.paused_at} />
            </dd>
          </>
        )}
        {sla.paused_seconds > 0 && (
          <>
            <dt>Paused before</dt>
            <dd>{formatDuration(sla.paused_seconds)}</dd>
          </>
        )}
      </dl>
      {canAct && incident.status !== 'Closed' && <PauseControls incident={incident} />}
    </section>
  );
}
