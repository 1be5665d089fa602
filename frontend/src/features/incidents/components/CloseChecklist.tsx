/**
 * Closing as a checklist, shown before anyone asks to close: each of the incident's
 * `close_blockers` (the RCA sections still blank, named as people read them by rcaFields.ts)
 * links to the field that fills it, scrolling to it and putting the cursor there.
 */
import type { IncidentDetail } from '../../../api/types';
import { RCA_FIELDS, rcaSectionName } from '../../../api/rcaFields';
import './CloseChecklist.css';

/** The RCA field a close blocker is filled in (RcaForm's ids), scrolled to and focused. */
export function focusBlocker(code: string) {
  const field = document.getElementById(`rca-${code}`);
  if (!field) return;
  field.scrollIntoView({ block: 'center' });
  field.focus({ preventScroll: true });
}

export function CloseChecklist({ incident }: { incident: IncidentDetail }) {
  const blockers = incident.close_blockers;
  // Every RCA section, ticked when written; then any blocker the console has no section for.
  const items = [
    ...RCA_FIELDS.map((code) => ({ code, done: !blockers.includes(code) })),
    ...blockers.filter((code) => !(RCA_FIELDS as readonly string[]).includes(code)).map((code) => ({ code, done: false })),
  ];
  const left = items.filter((i) => !i.done).length;
  return (
    <section id="close-checklist" className="close-checklist" aria-labelledby="close-checklist-title" tabIndex={-1}>
      <h3 id="close-checklist-title">
        Before closing{' '}
        <span className="muted">
          {left === 0 ? '· ready to close' : `· ${left} ${left === 1 ? 'item' : 'items'} left`}
        </span>
      </h3>
      <ul>
        {items.map(({ code, done }) => (
          <li key={code} className={done ? 'done' : 'todo'}>
            <span aria-hidden="true" className="box">
              {done ? '☑' : '☐'}
            </span>{' '}
            {done ? (
              <span>
                {rcaSectionName(code)} written<span className="visually-hidden"> (done)</span>
              </span>
            ) : (
              <a
                href={`#rca-${code}`}
                onClick={(e) => {
                  e.preventDefault();
                  focusBlocker(code);
                }}
              >
                {rcaSectionName(code)} written<span className="visually-hidden"> (not yet: go to the field)</span>
              </a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
