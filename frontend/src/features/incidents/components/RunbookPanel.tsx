/**
 * The service's runbooks, each step with where it stands on this incident (the server's
 * `runbook_steps`: who applied or ticked it and when, after a reload too) and "n of m done".
 * An action is applied, and applied again, each time logged to the timeline; a destructive one
 * asks first; a manual check is ticked and unticked by a person.
 */
import { useState } from 'react';
import type { IncidentDetail, Runbook } from '../../../api/types';
import type { components } from '../../../api/schema';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { RelativeTime } from '../../../components/Time';
import { StepFlags, useRunbooks } from '../../runbooks';
import { useApplyRunbookStep } from '../api/incidents';
import './RunbookPanel.css';

type Step = Runbook['steps'][number];
type StepState = components['schemas']['RunbookStepState'];

function StepStatus({ step, state }: { step: Step; state: StepState | undefined }) {
  if (!state) return <p className="step-state muted">{step.kind === 'manual' ? 'Not ticked yet' : 'Not applied yet'}</p>;
  const verb = step.kind === 'manual' ? (state.done ? 'Ticked' : 'Unticked') : 'Applied';
  const times = step.kind === 'action' && state.times > 1 ? ` (${state.times} times)` : '';
  return (
    <p className={`step-state ${state.done ? 'step-done' : 'muted'}`}>
      <span aria-hidden="true">{state.done ? '✔ ' : '○ '}</span>
      {verb} by {state.by_name ?? 'the system'} <RelativeTime iso={state.at} />
      {times}
    </p>
  );
}

export function RunbookPanel({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const runbooks = useRunbooks(incident.service_id);
  const apply = useApplyRunbookStep(incident.id);
  const [pending, setPending] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  // A box just ticked or unticked shows what was asked until the incident is read again.
  const [intent, setIntent] = useState<{ key: string; done: boolean } | null>(null);
  const closed = incident.status === 'Closed';
  const act = canAct && !closed;

  if (runbooks.isPending) return <Loading what="runbooks" />;
  if (runbooks.isError) return <ErrorState error={runbooks.error} retry={() => void runbooks.refetch()} />;
  if (runbooks.data.length === 0) return <EmptyState>{incident.service_name} has no runbooks yet.</EmptyState>;

  const states = new Map(incident.runbook_steps.map((s) => [`${s.runbook_id}:${s.step_index}`, s]));
  const run = (rb: Runbook, step: Step, done: boolean, confirmed = false) => {
    const key = `${rb.id}:${step.index}`;
    setPending(key);
    setConfirming(null);
    setIntent({ key, done });
    apply.mutate(
      { runbook_id: rb.id, step_index: step.index, done, confirmed },
      {
        onSettled: () => setIntent(null),
        onSuccess: () =>
          setSaid(
            step.kind === 'manual'
              ? `${done ? 'Ticked' : 'Unticked'} “${step.title}”.`
              : `Logged “${step.title}” to the timeline.`,
          ),
      },
    );
  };

  return (
    <div className="runbooks">
      {runbooks.data.map((rb) => {
        const steps = [...rb.steps].sort((a, b) => a.index - b.index);
        const done = steps.filter((s) => states.get(`${rb.id}:${s.index}`)?.done).length;
        return (
          <section key={rb.id} className="runbook" aria-labelledby={`runbook-${rb.id}`}>
            <h3 id={`runbook-${rb.id}`}>{rb.title}</h3>
            <p className="runbook-progress">
              <progress max={steps.length} value={done} aria-hidden="true" /> {done} of {steps.length} done
            </p>
            <ol className="steps">
              {steps.map((step) => {
                const key = `${rb.id}:${step.index}`;
                const state = states.get(key);
                const n = step.index + 1;
                const busy = apply.isPending && pending === key;
                return (
                  <li key={key} className={`step${state?.done ? ' is-done' : ''}`}>
                    <div>
                      <strong id={`step-${key}`}>{step.title}</strong>
                      <StepFlags step={step} />
                      {step.detail && <p className="muted">{step.detail}</p>}
                      <StepStatus step={step} state={state} />
                      {confirming === key && (
                        <div className="step-confirm" role="group" aria-label={`Confirm step ${n}`}>
                          <p>
                            <strong>This step is destructive.</strong> Apply “{step.title}” now?
                          </p>
                          <div className="actions small">
                            <button type="button" className="danger" onClick={() => run(rb, step, true, true)}>
                              Yes, apply step {n}
                            </button>
                            <button type="button" onClick={() => setConfirming(null)}>
                              Cancel
                            </button>
                          </div>
                        </div>
                      )}
                    </div>
                    {act && step.kind === 'manual' && (
                      <label className="step-tick">
                        <input
                          type="checkbox"
                          checked={intent?.key === key ? intent.done : Boolean(state?.done)}
                          disabled={apply.isPending}
                          aria-label={`Done: step ${n}, ${step.title}`}
                          onChange={(e) => (e.target.checked && step.destructive ? setConfirming(key) : run(rb, step, e.target.checked))}
                        />
                        {busy ? 'Saving…' : 'Done'}
                      </label>
                    )}
                    {act && step.kind === 'action' && (
                      <button
                        type="button"
                        // The visible words start the name ("Apply again, step 1: …"), as speech input expects.
                        aria-label={`${state?.done ? 'Apply again, step' : 'Apply step'} ${n}: ${step.title}`}
                        aria-expanded={step.destructive ? confirming === key : undefined}
                        disabled={apply.isPending}
                        onClick={() => (step.destructive ? setConfirming(confirming === key ? null : key) : run(rb, step, true))}
                      >
                        {busy ? 'Applying…' : state?.done ? 'Apply again' : 'Apply'}
                      </button>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
        );
      })}
      <ActionResult error={apply.error} success={apply.isSuccess && said} />
    </div>
  );
}
