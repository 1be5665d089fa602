/**
 * Closing as a checklist, shown before anyone asks to close: each of the incident's
 * `close_blockers` (the RCA sections still blank, named as people read them by rcaFields.ts, and
 * `action_items` where the service needs an owned, dated follow-up) links to the field that
 * fills it, scrolling to it and putting the cursor there.
 */
import type { IncidentDetail } from '../../../api/types';
import { RCA_FIELDS, rcaSectionName } from '../../../api/rcaFields';
import { focusFollowUpForm } from '../../followups';
import './CloseChecklist.css';

/** The RCA field a close blocker is filled in (RcaForm's ids), scrolled to and focused; for
 * `action_items`, the follow-ups' add form. */
export function focusBlocker(code: string) {
  if (code === 'action_items') return focusFollowUpForm();
  const field = document.getElementById(`rca-${code}`);
  if (!field) return;
  field.scrollIntoView({ block: 'center' });
  field.focus({ preventScroll: true });
}

/** "Root cause written"; a blocker that is not an RCA section says what it asks for. */
function label(code: string): string {
  return (RCA_FIELDS as readonly string[]).includes(code) ? `${rcaSectionName(code)} written` : rcaSectionName(code);
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
                {label(code)}<span className="visually-hidden"> (done)</span>
              </span>
            ) : (
              <a
                href={code === 'action_items' ? '#followups' : `#rca-${code}`}
                onClick={(e) => {
                  e.preventDefault();
                  focusBlocker(code);
                }}
              >
                {label(code)}<span className="visually-hidden"> (not yet: go to the field)</span>
              </a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
