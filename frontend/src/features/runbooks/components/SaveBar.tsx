/** The foot of a service-policy editor (SLA, escalation, follow-up rule): the save's error, if
 * any, then Save (its words while saving: "Saving…") and Cancel. */
import { ActionResult } from '../../../components/States';

export function SaveBar({ label, pending, error, onCancel }: { label: string; pending: boolean; error: unknown; onCancel: () => void }) {
  return (
    <>
      <ActionResult error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Saving…' : label}
        </button>
        <button type="button" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </div>
    </>
  );
}
