/** The service's runbooks, each step with an Apply button that logs it to the timeline. */
import { useState } from 'react';
import type { IncidentDetail } from '../../../api/types';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { useRunbooks } from '../../runbooks';
import { useApplyRunbookStep } from '../api/incidents';

export function RunbookPanel({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const runbooks = useRunbooks(incident.service_id);
  const apply = useApplyRunbookStep(incident.id);
  const [pending, setPending] = useState<string | null>(null);
  const [applied, setApplied] = useState<string | null>(null);
  const closed = incident.status === 'Closed';

  if (runbooks.isPending) return <Loading what="runbooks" />;
  if (runbooks.isError) return <ErrorState error={runbooks.error} retry={() => void runbooks.refetch()} />;
  if (runbooks.data.length === 0) return <EmptyState>{incident.service_name} has no runbooks yet.</EmptyState>;

  return (
    <div className="runbooks">
      {runbooks.data.map((rb) => (
        <div key={rb.id} className="runbook">
          <h3>{rb.title}</h3>
          <ol className="steps">
            {[...rb.steps]
              .sort((a, b) => a.index - b.index)
              .map((step) => {
                const key = `${rb.id}:${step.index}`;
                return (
                  <li key={key} className="step">
                    <div>
                      <strong>{step.title}</strong>
                      {step.detail && <p className="muted">{step.detail}</p>}
                    </div>
                    {canAct && !closed && (
                      <button
                        type="button"
                        aria-label={`Apply step ${step.index + 1}: ${step.title}`}
                        disabled={apply.isPending}
                        onClick={() => {
                          setPending(key);
                          apply.mutate(
                            { runbook_id: rb.id, step_index: step.index },
                            { onSuccess: () => setApplied(`Logged “${step.title}” to the timeline.`) },
                          );
                        }}
                      >
                        {apply.isPending && pending === key ? 'Applying…' : 'Apply'}
                      </button>
                    )}
                  </li>
                );
              })}
          </ol>
        </div>
      ))}
      <ActionResult error={apply.error} success={apply.isSuccess && applied} />
    </div>
  );
}
