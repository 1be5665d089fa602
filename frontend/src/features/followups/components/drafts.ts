/**
 * A follow-up as its form holds it (text in every field), and the request bodies made from
 * it: a new item sends what was filled in; an edit sends only what changed, a field emptied
 * as null (the API clears owner, due date and link on null).
 */
import type { ActionItem, ActionItemCreate, ActionItemKind, ActionItemUpdate } from '../../../api/types';

export interface Draft {
  title: string;
  kind: ActionItemKind;
  ownerId: string;
  dueDate: string;
  url: string;
}

export const EMPTY_DRAFT: Draft = { title: '', kind: 'corrective', ownerId: '', dueDate: '', url: '' };

export function draftOf(item: ActionItem): Draft {
  return {
    title: item.title,
    kind: item.kind,
    ownerId: item.owner_id === null ? '' : String(item.owner_id),
    dueDate: item.due_date ?? '',
    url: item.url ?? '',
  };
}

/** What is wrong with the draft, by field, as the server would refuse it (said before sending). */
export function draftProblems(draft: Draft): Partial<Record<keyof Draft, string>> {
  const problems: Partial<Record<keyof Draft, string>> = {};
  if (!draft.title.trim()) problems.title = 'Say what needs doing.';
  else if (draft.title.trim().length > 200) problems.title = 'At most 200 characters.';
  const url = draft.url.trim();
  if (url && !/^https?:\/\/[^\s/?#]+\S*$/.test(url)) problems.url = 'A link starting with https:// or http://.';
  if (draft.dueDate && !/^\d{4}-\d{2}-\d{2}$/.test(draft.dueDate)) problems.dueDate = 'A date such as 2026-12-31.';
  return problems;
}

export function createBody(draft: Draft): ActionItemCreate {
  const url = draft.url.trim();
  return {
    title: draft.title.trim(),
    kind: draft.kind,
    ...(draft.ownerId ? { owner_id: Number(draft.ownerId) } : {}),
    ...(draft.dueDate ? { due_date: draft.dueDate } : {}),
    ...(url ? { url } : {}),
  };
}

/** Only the fields the edit changed; empty when nothing did. */
export function updateBody(item: ActionItem, draft: Draft): ActionItemUpdate {
  const body: ActionItemUpdate = {};
  const was = draftOf(item);
  if (draft.title.trim() !== was.title) body.title = draft.title.trim();
  if (draft.kind !== was.kind) body.kind = draft.kind;
  if (draft.ownerId !== was.ownerId) body.owner_id = draft.ownerId ? Number(draft.ownerId) : null;
  if (draft.dueDate !== was.dueDate) body.due_date = draft.dueDate || null;
  if (draft.url.trim() !== was.url) body.url = draft.url.trim() || null;
  return body;
}
