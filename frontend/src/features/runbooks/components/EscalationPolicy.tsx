/**
 * A service's escalation policy: while an incident is still New that many minutes after it was
 * opened, each step tells its channels (whatever events they otherwise hear). Acknowledging the
 * incident stops the rest. Shown to everyone; admins edit it (saved with the service).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { ActionResult } from '../../../components/States';
import { formatDuration, pluralize } from '../../../lib/format';
import type { Channel, EscalationStep, Service } from '../../../api/types';
import { KIND_LABEL, useChannels } from '../../notifications';
import { useUpdateService } from '../api/runbooks';
import './EscalationPolicy.css';
import { SaveBar } from './SaveBar';

function channelNames(ids: number[], channels: Channel[] | undefined): string {
  if (!channels) return pluralize(ids.length, 'channel');
  return ids.map((id) => channels.find((c) => c.id === id)?.name ?? 'a deleted channel').join(', ');
}

export function EscalationPolicyView({ service, isAdmin }: { service: Service; isAdmin: boolean }) {
  // Only admins may list the channels; others see how many each step tells.
  const channels = useChannels(isAdmin);
  const steps = service.escalation_policy;
  return (
    <div className="escalation">
      <h3>Escalation</h3>
      {steps.length === 0 ? (
        <p className="muted">No escalation: an incident nobody acknowledges notifies no one further.</p>
      ) : (
        <ol className="escalation-steps" aria-label={`Escalation policy for ${service.name}`}>
          {steps.map((step, i) => (
            <li key={i}>
              Still new after <strong>{formatDuration(step.after_minutes * 60)}</strong>: tell {channelNames(step.channel_ids, channels.data)}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The server's limit on steps (and, on the input, on minutes: a week). */
const MAX_STEPS = 10;

interface Row {
  minutes: string;
  channelIds: number[];
}

export function EscalationPolicyEditor({ service, onDone }: { service: Service; onDone: () => void }) {
  const update = useUpdateService();
  const channels = useChannels();
  const [rows, setRows] = useState<Row[]>(() =>
    service.escalation_policy.map((s) => ({ minutes: String(s.after_minutes), channelIds: [...s.channel_ids] })),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const setRow = (i: number, row: Partial<Row>) => setRows((all) => all.map((r, j) => (j === i ? { ...r, ...row } : r)));
  const list = channels.data ?? [];

  return (
    <form
      className="card form escalation-editor"
      aria-label={`Edit escalation policy for ${service.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        const empty = rows.findIndex((r) => r.channelIds.length === 0);
        if (empty >= 0) {
          setProblem(`Step ${empty + 1} tells nobody: choose at least one channel, or remove the step.`);
          return;
        }
        setProblem(null);
        const escalation_policy: EscalationStep[] = rows
          .map((r) => ({ after_minutes: Number(r.minutes), channel_ids: [...r.channelIds].sort((a, b) => a - b) }))
          .sort((a, b) => a.after_minutes - b.after_minutes);
        update.mutate({ id: service.id, body: { escalation_policy } }, { onSuccess: onDone });
      }}
    >
      <h3>Escalation for {service.name}</h3>
      <p className="muted hint">
        While an incident is still new (not acknowledged) this long after it was opened, its channels are told, whatever events they
        otherwise hear. Acknowledging the incident stops the remaining steps.
      </p>
      {channels.isError && <ActionResult error={channels.error} />}
      {channels.isSuccess && list.length === 0 && (
        <p className="notice">
          There are no channels to tell yet: add one under <Link to="/notifications">Notifications</Link> first.
        </p>
      )}
      {rows.length === 0 && <p className="muted">No steps: nobody is told when an incident stays unacknowledged.</p>}
      <ol className="escalation-edit-steps">
        {rows.map((row, i) => (
          <li key={i}>
            <fieldset>
              <legend>Step {i + 1}</legend>
              <div className="field">
                <label htmlFor={`esc-${service.id}-${i}-minutes`}>Still new after (minutes)</label>
                <input
                  id={`esc-${service.id}-${i}-minutes`}
                  type="number"
                  min={1}
                  max={10080}
                  step={1}
                  required
                  value={row.minutes}
                  onChange={(e) => setRow(i, { minutes: e.target.value })}
                />
              </div>
              <fieldset className="escalation-channels">
                <legend>Tell these channels</legend>
                {list.map((c) => (
                  <label key={c.id} className="choice">
                    <input
                      type="checkbox"
                      checked={row.channelIds.includes(c.id)}
                      onChange={(e) =>
                        setRow(i, {
                          channelIds: e.target.checked ? [...row.channelIds, c.id] : row.channelIds.filter((id) => id !== c.id),
                        })
                      }
                    />
                    {c.name} <span className="muted">({KIND_LABEL[c.kind]})</span>
                  </label>
                ))}
              </fieldset>
              <button type="button" onClick={() => setRows((all) => all.filter((_, j) => j !== i))} aria-label={`Remove step ${i + 1}`}>
                Remove step
              </button>
            </fieldset>
          </li>
        ))}
      </ol>
      <button
        type="button"
        disabled={rows.length >= MAX_STEPS}
        aria-describedby={rows.length >= MAX_STEPS ? `esc-${service.id}-max` : undefined}
        onClick={() => {
          const last = rows.at(-1);
          setRows([...rows, { minutes: last ? String(Number(last.minutes || 0) + 15) : '15', channelIds: [] }]);
        }}
      >
        Add a step
      </button>
      {rows.length >= MAX_STEPS && (
        <p id={`esc-${service.id}-max`} className="muted hint">
          A policy has at most {MAX_STEPS} steps.
        </p>
      )}
      {problem && (
        <p className="error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {problem}
        </p>
      )}
      <SaveBar label="Save escalation policy" pending={update.isPending} error={update.error} onCancel={onDone} />
    </form>
  );
}
