/**
 * Which severities of a service close only with a follow-up that has an owner and a due date
 * (`close_requires_action_items`): shown to everyone, ticked by admins.
 */
import { useState } from 'react';
import { SEVERITIES, type Service, type Severity } from '../../../api/types';
import { useUpdateService } from '../api/runbooks';
import './FollowUpPolicy.css';
import { SaveBar } from './SaveBar';

export function followUpRule(severities: readonly Severity[]): string {
  if (severities.length === 0) return 'Closing needs a complete RCA; follow-ups are optional.';
  return `Closing a ${severities.join(' or ')} incident also needs a follow-up with an owner and a due date.`;
}

export function FollowUpPolicyView({ service }: { service: Service }) {
  return (
    <p className="followup-policy">
      <strong>Follow-ups to close: </strong>
      {followUpRule(service.close_requires_action_items)}
    </p>
  );
}

export function FollowUpPolicyEditor({ service, onDone }: { service: Service; onDone: () => void }) {
  const update = useUpdateService();
  const [ticked, setTicked] = useState<ReadonlySet<Severity>>(() => new Set(service.close_requires_action_items));
  return (
    <form
      className="card form"
      aria-label={`Edit follow-ups required to close ${service.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        const close_requires_action_items = SEVERITIES.filter((s) => ticked.has(s));
        update.mutate({ id: service.id, body: { close_requires_action_items } }, { onSuccess: onDone });
      }}
    >
      <fieldset>
        <legend>Severities that close only with a follow-up (owner and due date)</legend>
        {SEVERITIES.map((sev) => (
          <label key={sev} className="inline-check">
            <input
              type="checkbox"
              checked={ticked.has(sev)}
              onChange={(e) =>
                setTicked((t) => {
                  const next = new Set(t);
                  if (e.target.checked) next.add(sev);
                  else next.delete(sev);
                  return next;
                })
              }
            />{' '}
            {sev}
          </label>
        ))}
      </fieldset>
      <p className="muted">{followUpRule(SEVERITIES.filter((s) => ticked.has(s)))}</p>
      <SaveBar label="Save follow-up rule" pending={update.isPending} error={update.error} onCancel={onDone} />
    </form>
  );
}
