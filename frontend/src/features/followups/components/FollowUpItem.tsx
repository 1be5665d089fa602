/** One follow-up as a line: what, kind, owner, due (overdue marked), its ticket, and its moves. */
import type { ReactNode } from 'react';
import type { ActionItem } from '../../../api/types';
import { CalendarDate } from '../../../components/Time';

export function OverdueBadge() {
  return (
    <span className="badge followup-overdue">
      <span aria-hidden="true">⚠ </span>Overdue
    </span>
  );
}

export function FollowUpLine({ item, children, incidentLink }: { item: ActionItem; children?: ReactNode; incidentLink?: ReactNode }) {
  const done = item.status === 'done';
  return (
    <li className={`followup${done ? ' followup-done' : ''}${item.overdue ? ' followup-late' : ''}`}>
      <div className="followup-head">
        <span className="followup-state" aria-hidden="true">
          {done ? '☑' : '☐'}
        </span>
        <span className="followup-title">
          {item.title}
          <span className="visually-hidden">{done ? ' (done)' : ' (open)'}</span>
        </span>
        {item.overdue && <OverdueBadge />}
      </div>
      {incidentLink}
      <p className="followup-facts">
        <span className="badge followup-kind">{item.kind}</span>
        <span>
          <span className="muted">Owner </span>
          {item.owner_name ?? <span className="muted">nobody yet</span>}
        </span>
        <span>
          <span className="muted">Due </span>
          <CalendarDate day={item.due_date} />
        </span>
        {item.url && (
          <a href={item.url} target="_blank" rel="noreferrer noopener">
            Ticket<span className="visually-hidden"> for {item.title}</span>
          </a>
        )}
      </p>
      {children}
    </li>
  );
}
