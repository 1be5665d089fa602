/** The incident's timeline: system events, status changes, runbook steps and comments told apart. */
import { forwardRef, useState } from 'react';
import type { EventType, TimelineEvent } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { RelativeTime } from '../../../components/Time';
import { useAddComment } from '../api/incidents';

export interface EventKind {
  label: string;
  icon: string;
  className: string;
}

/**
 * How each event type reads. Keyed by the schema's EventType: when the server adds a type,
 * `tsc` fails here until the console says how to show it (see Timeline.types.test.ts).
 */
export const EVENT_KINDS: Record<EventType, EventKind> = {
  created: { label: 'System', icon: '⚙', className: 'ev-system' },
  status_change: { label: 'Status', icon: '⇄', className: 'ev-status' },
  comment: { label: 'Comment', icon: '❝', className: 'ev-comment' },
  runbook_step: { label: 'Runbook', icon: '☑', className: 'ev-runbook' },
  rca_updated: { label: 'RCA', icon: '✎', className: 'ev-system' },
  assignment: { label: 'Owner', icon: '☺', className: 'ev-triage' },
  severity_change: { label: 'Severity', icon: '▲', className: 'ev-triage' },
  field_change: { label: 'Edit', icon: '✎', className: 'ev-triage' },
  sla_breach: { label: 'SLA breach', icon: '✖', className: 'ev-breach' },
  sla_at_risk: { label: 'SLA at risk', icon: '⚠', className: 'ev-breach' },
  alert: { label: 'Alert', icon: '⚑', className: 'ev-system' },
};

export function eventKind(type: EventType): EventKind {
  return EVENT_KINDS[type];
}

const FIELD_LABELS: Record<string, string> = {
  assignee_id: 'Owner',
  severity: 'Severity',
  title: 'Title',
  description: 'Description',
  impact: 'Customer impact',
};

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** "SEV3 → SEV1" when the event records a change. */
export function changeOf(event: TimelineEvent): { field?: string; from: string; to: string; note?: string } | null {
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (!('from' in data) && !('to' in data)) return null;
  return {
    field: typeof data.field === 'string' ? (FIELD_LABELS[data.field] ?? data.field.replace(/_/g, ' ')) : undefined,
    from: show(data.from_name ?? data.from),
    to: show(data.to_name ?? data.to),
    note: typeof data.note === 'string' && data.note ? data.note : undefined,
  };
}

/** Who wrote an event: a person, a person's API token ("token 'deploy-bot' of Avery Patel"), or the system. */
export function whoWrote(event: TimelineEvent): string {
  if (!event.created_by_name) return 'System';
  if (event.created_by_token_name) return `token ‘${event.created_by_token_name}’ of ${event.created_by_name}`;
  return event.created_by_name;
}

function EventItem({ event }: { event: TimelineEvent }) {
  const kind = eventKind(event.type);
  const change = changeOf(event);
  const isHuman = event.type === 'comment';
  return (
    <li className={`event ${kind.className}`}>
      <div className="event-head">
        <span className="event-kind">
          <span aria-hidden="true">{kind.icon} </span>
          {kind.label}
        </span>
        <span className="event-who">{whoWrote(event)}</span>
        <RelativeTime iso={event.created_at} />
      </div>
      {isHuman ? <blockquote className="event-body">{event.body}</blockquote> : <p className="event-body">{event.body}</p>}
      {change && (
        <p className="event-change">
          {change.field && <span className="muted">{change.field}: </span>}
          <span className="old">{change.from}</span> <span aria-label="changed to">→</span>{' '}
          <span className="new">{change.to}</span>
          {change.note && !event.body.includes(change.note) && <span className="note"> · note: “{change.note}”</span>}
        </p>
      )}
    </li>
  );
}

export function Timeline({ events }: { events: TimelineEvent[] }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" aria-label="Timeline">
      {events.map((e) => (
        <EventItem key={e.id} event={e} />
      ))}
    </ol>
  );
}

export const CommentBox = forwardRef<HTMLTextAreaElement, { incidentId: number }>(function CommentBox(
  { incidentId },
  ref,
) {
  const add = useAddComment(incidentId);
  const [body, setBody] = useState('');
  return (
    <form
      className="comment-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (!body.trim()) return;
        add.mutate(body.trim(), { onSuccess: () => setBody('') });
      }}
    >
      <label htmlFor="comment-body">Comment</label>
      <textarea
        id="comment-body"
        ref={ref}
        rows={3}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        placeholder="What did you find or do? (press c to jump here)"
        aria-keyshortcuts="c"
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={add.isPending || !body.trim()}>
          {add.isPending ? 'Posting…' : 'Add comment'}
        </button>
      </div>
      <ActionResult error={add.error} />
    </form>
  );
});
