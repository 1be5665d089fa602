/**
 * The incident's timeline: system events, status changes, runbook steps and comments told apart;
 * filtered by type or to the key events, oldest or newest first (each person's choice, remembered),
 * and events starred as key (they make the report's Key events). The note composer is NoteComposer.
 */
import { useState, type ReactNode } from 'react';
import type { EventType, TimelineEvent } from '../../../api/types';
import { AbsoluteTime, CalendarDate, RelativeTime } from '../../../components/Time';
import { pluralize } from '../../../lib/format';
import { useStarEvent } from '../api/timeline';
import { applyView, TimelineFilters, type TimelineView } from './TimelineFilters';
import { savedOrder, saveOrder, type TimelineOrder } from './timelineStorage';
import './Timeline.css';

export { CommentBox } from './NoteComposer';

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
  escalated: { label: 'Escalated', icon: '↑', className: 'ev-breach' },
  action_item: { label: 'Follow-up', icon: '➜', className: 'ev-triage' },
  sla_paused: { label: 'SLA paused', icon: '⏸', className: 'ev-triage' },
  sla_resumed: { label: 'SLA resumed', icon: '▶', className: 'ev-triage' },
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

function StarToggle({ event, incidentId, onDone }: { event: TimelineEvent; incidentId: number; onDone: (message: string) => void }) {
  const star = useStarEvent(incidentId);
  return (
    <button
      type="button"
      className="star-toggle"
      aria-pressed={event.starred}
      title={event.starred ? 'Key event: press to unstar' : 'Star as a key event (listed in the report)'}
      onClick={() => {
        const starred = !event.starred;
        star.mutate(
          { eventId: event.id, starred },
          {
            onSuccess: () => onDone(starred ? 'Starred as a key event.' : 'Star removed.'),
            onError: () => onDone('Could not change the star; the timeline shows it as it is.'),
          },
        );
      }}
    >
      <span aria-hidden="true">{event.starred ? '★' : '☆'} </span>
      Key event
    </button>
  );
}

function EventItem({ event, star }: { event: TimelineEvent; star?: (event: TimelineEvent) => ReactNode }) {
  const kind = eventKind(event.type);
  const change = changeOf(event);
  const isHuman = event.type === 'comment';
  return (
    <li className={`event ${kind.className}${event.starred ? ' event-starred' : ''}`}>
      <div className="event-head">
        <span className="event-kind">
          <span aria-hidden="true">{kind.icon} </span>
          {kind.label}
        </span>
        <span className="event-who">{whoWrote(event)}</span>
        <RelativeTime iso={event.created_at} />
        <span className="event-star">
          {star ? (
            star(event)
          ) : (
            event.starred && (
              <span className="star-badge">
                <span aria-hidden="true">★ </span>Key event
              </span>
            )
          )}
        </span>
      </div>
      {isHuman ? <blockquote className="event-body">{event.body}</blockquote> : <p className="event-body">{event.body}</p>}
      {/* SLA notices carry their due time as data, shown in the reader's zone. */}
      {typeof event.data?.due_at === 'string' && (
        <p className="event-change">
          <span className="muted">Due: </span>
          <AbsoluteTime iso={event.data.due_at} />
        </p>
      )}
      {/* A follow-up's owner and due date are data: the date shown as a calendar day. */}
      {event.type === 'action_item' && (
        <p className="event-change">
          <span className="muted">Owner: </span>
          {typeof event.data?.owner_name === 'string' ? event.data.owner_name : 'nobody'}
          <span className="muted"> · Due: </span>
          <CalendarDate day={typeof event.data?.due_date === 'string' ? event.data.due_date : null} />
        </p>
      )}
      {change && (
        <p className="event-change">
          {change.field && <span className="muted">{change.field}: </span>}
          <span className="old">{change.from}</span> <span aria-label="changed to">→</span>{' '}
          <span className="new">{change.to}</span>
          {change.note && !event.body.includes(change.note) && <span className="note"> · note: “{change.note}”</span>}
        </p>
      )}
      {event.starred && event.starred_by_name && <p className="event-starred-by muted">Starred by {event.starred_by_name}</p>}
    </li>
  );
}

export function Timeline({
  events,
  incidentId,
  canStar = false,
  userId,
}: {
  events: TimelineEvent[];
  /** With `canStar`, each event gets a "Key event" toggle. */
  incidentId?: number;
  canStar?: boolean;
  /** Whose order preference to use (remembered per person in this browser). */
  userId?: number;
}) {
  const [filters, setFilters] = useState<Omit<TimelineView, 'order'>>({ types: new Set(), keyOnly: false });
  const [chosen, setChosen] = useState<{ userId?: number; order: TimelineOrder } | null>(null);
  const [message, setMessage] = useState('');
  const order = chosen && chosen.userId === userId ? chosen.order : savedOrder(userId);
  const view: TimelineView = { ...filters, order };
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  const shown = applyView(events, view);
  const filtered = shown.length !== events.length;
  const star =
    canStar && incidentId !== undefined
      ? (event: TimelineEvent) => <StarToggle event={event} incidentId={incidentId} onDone={setMessage} />
      : undefined;
  return (
    <>
      <TimelineFilters
        events={events}
        kinds={EVENT_KINDS}
        view={view}
        onChange={(next) => {
          setFilters({ types: next.types, keyOnly: next.keyOnly });
          if (next.order !== order) {
            saveOrder(userId, next.order);
            setChosen({ userId, order: next.order });
          }
        }}
      />
      <p className="timeline-summary muted">
        {filtered ? `Showing ${shown.length} of ${pluralize(events.length, 'event')}` : pluralize(events.length, 'event')},{' '}
        {order === 'newest' ? 'newest first' : 'oldest first'}
      </p>
      {shown.length === 0 ? (
        <p className="muted">
          No events match.{' '}
          <button type="button" className="link-button" onClick={() => setFilters({ types: new Set(), keyOnly: false })}>
            Show all events
          </button>
        </p>
      ) : (
        <ol className="timeline" aria-label="Timeline">
          {shown.map((e) => (
            <EventItem key={e.id} event={e} star={star} />
          ))}
        </ol>
      )}
      <p className="visually-hidden" role="status">
        {message}
      </p>
    </>
  );
}
