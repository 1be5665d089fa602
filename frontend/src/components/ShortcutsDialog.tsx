/** The `?` dialog: every keyboard shortcut, and the switch that turns them all off. */
import { useEffect, useRef } from 'react';
import { setShortcutsEnabled, useShortcutsEnabled } from './useHotkeys';
import './ShortcutsDialog.css';

const SHORTCUTS: [keys: string[], what: string][] = [
  [['?'], 'Show this list'],
  [['/'], 'Search incidents (dashboard)'],
  [['j'], 'Next incident in the list'],
  [['k'], 'Previous incident in the list'],
  [['Enter'], 'Open the incident in focus'],
  [['n'], 'Declare a new incident'],
  [['c'], 'Write a comment (incident page)'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const enabled = useShortcutsEnabled();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
  }, [open]);

  return (
    <dialog ref={ref} className="shortcuts-dialog" aria-labelledby="shortcuts-title" onClose={onClose}>
      {open && (
        <>
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <p className="muted small">They never act while you type in a field.</p>
          <table className="shortcuts">
            <caption className="visually-hidden">Keys and what they do</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Does</th>
              </tr>
            </thead>
            <tbody>
              {SHORTCUTS.map(([keys, what]) => (
                <tr key={what}>
                  <td>
                    {keys.map((k) => (
                      <kbd key={k}>{k}</kbd>
                    ))}
                  </td>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={(e) => setShortcutsEnabled(e.target.checked)} />
            Use single-key shortcuts
          </label>
          <div className="actions">
            <button type="button" className="primary" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
