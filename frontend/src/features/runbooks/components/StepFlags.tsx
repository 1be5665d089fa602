/** A runbook step's flags in words beside their icons: destructive, manual check. */
import type { Runbook } from '../../../api/types';
import './StepFlags.css';

export function StepFlags({ step }: { step: Pick<Runbook['steps'][number], 'kind' | 'destructive'> }) {
  return (
    <>
      {step.destructive && (
        <span className="badge step-flag destructive">
          <span aria-hidden="true">⚠ </span>Destructive
        </span>
      )}
      {step.kind === 'manual' && (
        <span className="badge step-flag manual">
          <span aria-hidden="true">☑ </span>Manual check
        </span>
      )}
    </>
  );
}
