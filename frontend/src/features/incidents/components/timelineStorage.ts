/**
 * What the timeline remembers in this browser's localStorage: each person's preferred order, and a
 * half-written note per incident (kept until it is posted). Storage can be full or switched off
 * (private windows): then nothing is remembered and nothing breaks.
 */
export type TimelineOrder = 'oldest' | 'newest';

const ORDER_KEY = 'incident-console.timeline-order';
const DRAFT_KEY = 'incident-console.note-draft';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null) {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    /* storage unavailable: not remembered */
  }
}

const orderKey = (userId: number | undefined) => `${ORDER_KEY}.${userId ?? 'anyone'}`;

/** The order this person last chose; oldest first (the story as it happened) until they choose. */
export function savedOrder(userId: number | undefined): TimelineOrder {
  return read(orderKey(userId)) === 'newest' ? 'newest' : 'oldest';
}

export function saveOrder(userId: number | undefined, order: TimelineOrder) {
  write(orderKey(userId), order);
}

const draftKey = (incidentId: number) => `${DRAFT_KEY}.${incidentId}`;

export function savedDraft(incidentId: number): string {
  return read(draftKey(incidentId)) ?? '';
}

/** Keeps the draft (an empty one is forgotten). */
export function saveDraft(incidentId: number, text: string) {
  write(draftKey(incidentId), text.trim() ? text : null);
}
