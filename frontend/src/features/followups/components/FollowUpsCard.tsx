/**
 * The incident's follow-ups (action items): listed, added (owner from the people who can own
 * incidents, due date, ticket link), edited in place, marked done or reopened. They outlive the
 * incident: a Closed one still takes and completes them. When the service requires a follow-up
 * to close, the close checklist links to the add form's first field (`followup-new-title`).
 */
import { useState } from 'react';
import type { ActionItem, IncidentDetail, User } from '../../../api/types';
import { ActionResult, ErrorState, Loading } from '../../../components/States';
import { pluralize } from '../../../lib/format';
import { useAssignableUsers } from '../../dashboard';
import { useAddActionItem, useIncidentActionItems, useUpdateActionItem } from '../api/followUps';
import { createBody, draftOf, EMPTY_DRAFT, updateBody } from './drafts';
import { FollowUpForm } from './FollowUpForm';
import { FollowUpLine } from './FollowUpItem';
import './FollowUps.css';

/** The people an item may be given to, plus its current owner if they no longer could be. */
function ownersFor(assignable: User[] | undefined, item?: ActionItem): Pick<User, 'id' | 'name'>[] {
  const people: Pick<User, 'id' | 'name'>[] = assignable ?? [];
  if (item?.owner_id != null && !people.some((u) => u.id === item.owner_id)) {
    return [...people, { id: item.owner_id, name: item.owner_name ?? `#${item.owner_id}` }];
  }
  return people;
}

function EditableItem({ item, canAct, owners }: { item: ActionItem; canAct: boolean; owners: User[] | undefined }) {
  const update = useUpdateActionItem(item);
  const [editing, setEditing] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const done = item.status === 'done';
  return (
    <FollowUpLine item={item}>
      {canAct && editing && (
        <FollowUpForm
          idPrefix={`followup-${item.id}`}
          initial={draftOf(item)}
          owners={ownersFor(owners, item)}
          submitLabel="Save follow-up"
          pending={update.isPending}
          onCancel={() => setEditing(false)}
          onSubmit={(draft) => {
            const body = updateBody(item, draft);
            if (Object.keys(body).length === 0) return setEditing(false);
            update.mutate(body, {
              onSuccess: () => {
                setEditing(false);
                setSaid('Follow-up saved.');
              },
            });
          }}
        />
      )}
      {canAct && !editing && (
        <div className="actions small">
          <button
            type="button"
            disabled={update.isPending}
            onClick={() =>
              update.mutate({ status: done ? 'open' : 'done' }, { onSuccess: () => setSaid(done ? 'Reopened.' : 'Marked done.') })
            }
          >
            {done ? 'Reopen' : 'Mark done'}
            <span className="visually-hidden">: {item.title}</span>
          </button>
          <button type="button" onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden">: {item.title}</span>
          </button>
        </div>
      )}
      <ActionResult error={update.error} success={!update.isPending && said} />
    </FollowUpLine>
  );
}

export function FollowUpsCard({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const items = useIncidentActionItems(incident.id);
  const owners = useAssignableUsers();
  const add = useAddActionItem(incident.id);
  const blocked = incident.close_blockers.includes('action_items');
  const open = items.data?.filter((i) => i.status === 'open').length ?? 0;

  return (
    <section className="card followups" id="followups" aria-labelledby="followups-title" tabIndex={-1}>
      <h2 id="followups-title">
        Follow-ups{' '}
        {items.data && items.data.length > 0 && <span className="muted">· {pluralize(open, 'open item')}</span>}
      </h2>
      {blocked && (
        <p className="followup-required">
          This service needs at least one follow-up with an owner and a due date before the incident can close.
        </p>
      )}
      {items.isPending && <Loading what="follow-ups" />}
      {items.isError && <ErrorState error={items.error} retry={() => void items.refetch()} />}
      {items.data && items.data.length === 0 && <p className="muted">No follow-ups yet.</p>}
      {items.data && items.data.length > 0 && (
        <ul className="followup-list">
          {items.data.map((item) => (
            <EditableItem key={item.id} item={item} canAct={canAct} owners={owners.data} />
          ))}
        </ul>
      )}
      {canAct && (
        <>
          <h3>Add a follow-up</h3>
          <FollowUpForm
            idPrefix="followup-new"
            initial={EMPTY_DRAFT}
            owners={ownersFor(owners.data)}
            submitLabel="Add follow-up"
            pending={add.isPending}
            onSubmit={(draft, reset) => add.mutate(createBody(draft), { onSuccess: reset })}
          />
          <ActionResult error={add.error} success={add.isSuccess && !add.isPending && 'Follow-up added.'} />
        </>
      )}
    </section>
  );
}

/** Brings the add form into view with the cursor in its first field (or the card, read-only). */
export function focusFollowUpForm() {
  const target = document.getElementById('followup-new-title') ?? document.getElementById('followups');
  if (!target) return;
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
}
