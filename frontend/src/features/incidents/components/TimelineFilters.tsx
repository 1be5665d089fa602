/** The timeline's controls: which kinds of event to show (with how many of each), key events only, and the order. */
import type { EventType, TimelineEvent } from '../../../api/types';
import type { TimelineOrder } from './timelineStorage';
import './Timeline.css';

export interface TimelineView {
  /** The event types shown; empty: all of them. */
  types: ReadonlySet<EventType>;
  keyOnly: boolean;
  order: TimelineOrder;
}


/** The events the view shows, in its order (the server sends them oldest first). */
export function applyView(events: TimelineEvent[], view: TimelineView): TimelineEvent[] {
  const shown = events.filter((e) => (view.types.size === 0 || view.types.has(e.type)) && (!view.keyOnly || e.starred));
  return view.order === 'newest' ? [...shown].reverse() : shown;
}

export function TimelineFilters({
  events,
  kinds,
  view,
  onChange,
}: {
  events: TimelineEvent[];
  /** Each type's name for people, in the order the chips go. */
  kinds: Record<EventType, { label: string; icon: string }>;
  view: TimelineView;
  onChange: (view: TimelineView) => void;
}) {
  const counts = new Map<EventType, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  const present = (Object.keys(kinds) as EventType[]).filter((t) => counts.has(t));
  const starred = events.filter((e) => e.starred).length;
  const all = view.types.size === 0 && !view.keyOnly;
  const toggle = (type: EventType) => {
    const types = new Set(view.types);
    if (types.has(type)) types.delete(type);
    else types.add(type);
    onChange({ ...view, types });
  };
  return (
    <div className="timeline-controls">
      <div className="timeline-chips" role="group" aria-label="Show events of type">
        <button type="button" className="chip" aria-pressed={all} onClick={() => onChange({ ...view, types: new Set(), keyOnly: false })}>
          All <span className="chip-count">{events.length}</span>
        </button>
        <button
          type="button"
          className="chip chip-key"
          aria-pressed={view.keyOnly}
          onClick={() => onChange({ ...view, keyOnly: !view.keyOnly })}
        >
          <span aria-hidden="true">★ </span>Key events <span className="chip-count">{starred}</span>
        </button>
        {present.map((type) => (
          <button key={type} type="button" className="chip" aria-pressed={view.types.has(type)} onClick={() => toggle(type)}>
            <span aria-hidden="true">{kinds[type].icon} </span>
            {kinds[type].label} <span className="chip-count">{counts.get(type)}</span>
          </button>
        ))}
      </div>
      <div className="timeline-order">
        <label htmlFor="timeline-order">Order</label>
        <select
          id="timeline-order"
          value={view.order}
          onChange={(e) => onChange({ ...view, order: e.target.value === 'newest' ? 'newest' : 'oldest' })}
        >
          <option value="oldest">Oldest first</option>
          <option value="newest">Newest first</option>
        </select>
      </div>
    </div>
  );
}
