/** Bulk triage: what is selected, the two actions, one confirmation naming how many, the outcome. */
import { useEffect, useRef, useState } from 'react';
import type { Incident } from '../../../api/types';
import { BULK_ACTIONS, type BulkAction } from '../api/bulk';

const incidents = (n: number) => `${n} incident${n === 1 ? '' : 's'}`;

const EXPLAIN: Record<BulkAction, string> = {
  acknowledge: 'Each New one moves to Investigating; those already past New are left as they are.',
  assign: 'You become the owner of each one.',
};

interface Props {
  selected: Incident[];
  busy: boolean;
  /** The incidents as they were when the person asked: each write is checked against that version. */
  onApply: (action: BulkAction, incidents: Incident[]) => void;
  onClear: () => void;
}

export function BulkBar({ selected, busy, onApply, onClear }: Props) {
  const [asking, setAsking] = useState<{ action: BulkAction; incidents: Incident[] } | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (asking && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    } else if (!asking && d.open) {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
    }
  }, [asking]);

  const n = selected.length;
  return (
    <>
      {n > 0 && (
        <div className="bulk-bar" role="group" aria-label="Selected incidents">
          <span className="bulk-count">{incidents(n)} selected</span>
          {(Object.keys(BULK_ACTIONS) as BulkAction[]).map((action) => (
            <button key={action} type="button" disabled={busy} onClick={() => setAsking({ action, incidents: selected })}>
              {BULK_ACTIONS[action].button}
            </button>
          ))}
          <button type="button" className="link-button" onClick={onClear}>
            Clear selection
          </button>
        </div>
      )}
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby="bulk-confirm-title" onClose={() => setAsking(null)}>
        {asking && (
          <>
            <h2 id="bulk-confirm-title">
              {BULK_ACTIONS[asking.action].verb} {incidents(asking.incidents.length)}?
            </h2>
            <p>{EXPLAIN[asking.action]}</p>
            <div className="actions">
              <button
                type="button"
                className="primary"
                onClick={() => {
                  setAsking(null);
                  onApply(asking.action, asking.incidents);
                }}
              >
                {BULK_ACTIONS[asking.action].verb} {incidents(asking.incidents.length)}
              </button>
              <button type="button" onClick={() => setAsking(null)}>
                Cancel
              </button>
            </div>
          </>
        )}
      </dialog>
    </>
  );
}
