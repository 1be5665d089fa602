/** The fields of a follow-up, for adding one and for editing one in place. */
import { useState } from 'react';
import { ACTION_ITEM_KINDS, type User } from '../../../api/types';
import { draftProblems, type Draft } from './drafts';

const KIND_HINTS = { corrective: 'fixes what broke', preventive: 'stops it happening again' } as const;

export function FollowUpForm({
  idPrefix,
  initial,
  owners,
  submitLabel,
  pending,
  onSubmit,
  onCancel,
}: {
  /** Unique per form on the page: the add form's title field is `followup-new-title`. */
  idPrefix: string;
  initial: Draft;
  owners: Pick<User, 'id' | 'name'>[];
  submitLabel: string;
  pending: boolean;
  onSubmit: (draft: Draft, reset: () => void) => void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(initial);
  const [tried, setTried] = useState(false);
  const problems = tried ? draftProblems(draft) : {};
  const set = (field: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  const id = (field: string) => `${idPrefix}-${field}`;
  const described = (field: keyof Draft) => (problems[field] ? { 'aria-invalid': true, 'aria-describedby': id(`${field}-problem`) } : {});
  const problem = (field: keyof Draft) =>
    problems[field] && (
      <small id={id(`${field}-problem`)} className="followup-problem">
        {problems[field]}
      </small>
    );

  return (
    <form
      className="followup-form"
      aria-label={submitLabel}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (Object.keys(draftProblems(draft)).length > 0) return;
        onSubmit(draft, () => {
          setDraft(initial);
          setTried(false);
        });
      }}
    >
      <div className="field followup-title-field">
        <label htmlFor={id('title')}>What needs doing</label>
        <input id={id('title')} value={draft.title} maxLength={200} onChange={set('title')} {...described('title')} />
        {problem('title')}
      </div>
      <div className="followup-fields">
        <div className="field">
          <label htmlFor={id('kind')}>Kind</label>
          <select id={id('kind')} value={draft.kind} onChange={set('kind')}>
            {ACTION_ITEM_KINDS.map((k) => (
              <option key={k} value={k}>
                {k[0].toUpperCase() + k.slice(1)} ({KIND_HINTS[k]})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={id('owner')}>Owner</label>
          <select id={id('owner')} value={draft.ownerId} onChange={set('ownerId')}>
            <option value="">Nobody yet</option>
            {owners.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={id('due')}>Due date</label>
          <input id={id('due')} type="date" value={draft.dueDate} onChange={set('dueDate')} {...described('dueDate')} />
          {problem('dueDate')}
        </div>
        <div className="field">
          <label htmlFor={id('url')}>Ticket link</label>
          <input
            id={id('url')}
            type="url"
            inputMode="url"
            placeholder="https://"
            value={draft.url}
            onChange={set('url')}
            {...described('url')}
          />
          {problem('url')}
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
