/** Create or edit a runbook: its title and ordered steps (add, move up or down, remove). */
import { useState, type FormEvent } from 'react';
import type { Runbook, RunbookStepIn } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { useCreateRunbook, useUpdateRunbook } from '../api/runbooks';
import './RunbookEditor.css';

type StepFlags = Pick<RunbookStepIn, 'kind' | 'destructive'>;

interface DraftStep extends StepFlags {
  key: number;
  title: string;
  detail: string;
}

let nextKey = 1;
const ACTION: StepFlags = { kind: 'action', destructive: false };
const draftOf = (title = '', detail = '', flags: StepFlags = ACTION): DraftStep => ({
  key: nextKey++,
  title,
  detail,
  kind: flags.kind,
  destructive: flags.destructive,
});

export function moveItem<T>(items: T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length) return items;
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item);
  return copy;
}

interface Props {
  serviceId: number;
  serviceName: string;
  runbook?: Runbook;
  onDone: () => void;
}

export function RunbookEditor({ serviceId, serviceName, runbook, onDone }: Props) {
  const create = useCreateRunbook();
  const update = useUpdateRunbook();
  const [title, setTitle] = useState(runbook?.title ?? '');
  const [steps, setSteps] = useState<DraftStep[]>(() =>
    runbook
      ? [...runbook.steps].sort((a, b) => a.index - b.index).map((s) => draftOf(s.title, s.detail ?? '', s))
      : [draftOf()],
  );
  const pending = create.isPending || update.isPending;
  const prefix = runbook ? `rb-${runbook.id}` : `rb-new-${serviceId}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = {
      title: title.trim(),
      steps: steps
        .filter((s) => s.title.trim())
        .map((s): RunbookStepIn => ({ title: s.title.trim(), detail: s.detail.trim(), kind: s.kind, destructive: s.destructive })),
    };
    if (runbook) update.mutate({ id: runbook.id, body }, { onSuccess: onDone });
    else create.mutate({ service_id: serviceId, ...body }, { onSuccess: onDone });
  };

  const setStep = (i: number, patch: Partial<DraftStep>) =>
    setSteps((all) => all.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <form
      className="card form runbook-editor"
      onSubmit={submit}
      aria-label={runbook ? `Edit runbook ${runbook.title}` : `New runbook for ${serviceName}`}
    >
      <label htmlFor={`${prefix}-title`}>Runbook title</label>
      <input id={`${prefix}-title`} required value={title} onChange={(e) => setTitle(e.target.value)} />
      <fieldset>
        <legend>Steps, in order</legend>
        <ol className="edit-steps">
          {steps.map((step, i) => (
            <li key={step.key}>
              <label htmlFor={`${prefix}-step-${step.key}`}>Step {i + 1} title</label>
              <input
                id={`${prefix}-step-${step.key}`}
                value={step.title}
                required={i === 0}
                onChange={(e) => setStep(i, { title: e.target.value })}
              />
              <label htmlFor={`${prefix}-detail-${step.key}`}>Step {i + 1} detail</label>
              <textarea
                id={`${prefix}-detail-${step.key}`}
                rows={2}
                value={step.detail}
                onChange={(e) => setStep(i, { detail: e.target.value })}
              />
              <div className="step-flags">
                <label htmlFor={`${prefix}-kind-${step.key}`}>Step {i + 1} kind</label>
                <select
                  id={`${prefix}-kind-${step.key}`}
                  value={step.kind}
                  onChange={(e) => setStep(i, { kind: e.target.value === 'manual' ? 'manual' : 'action' })}
                >
                  <option value="action">Action (applied and logged)</option>
                  <option value="manual">Manual check (ticked by a person)</option>
                </select>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={step.destructive}
                    onChange={(e) => setStep(i, { destructive: e.target.checked })}
                  />
                  Step {i + 1} is destructive (ask before applying)
                </label>
              </div>
              <div className="actions small">
                <button type="button" aria-label={`Move step ${i + 1} up`} disabled={i === 0} onClick={() => setSteps((a) => moveItem(a, i, i - 1))}>
                  ↑ Up
                </button>
                <button
                  type="button"
                  aria-label={`Move step ${i + 1} down`}
                  disabled={i === steps.length - 1}
                  onClick={() => setSteps((a) => moveItem(a, i, i + 1))}
                >
                  ↓ Down
                </button>
                <button
                  type="button"
                  aria-label={`Remove step ${i + 1}`}
                  disabled={steps.length === 1}
                  onClick={() => setSteps((a) => a.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ol>
        <button type="button" onClick={() => setSteps((a) => [...a, draftOf()])}>
          Add step
        </button>
      </fieldset>
      <ActionResult error={create.error ?? update.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Saving…' : runbook ? 'Save runbook' : 'Create runbook'}
        </button>
        <button type="button" onClick={onDone} disabled={pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
