/** Admins add a service: its name, owning team, and a starting SLA policy they can edit after. */
import { useState } from 'react';
import { ActionResult } from '../../../components/States';
import { useCreateService } from '../api/runbooks';

/** A common starting point; edited per service on this page. */
const STARTING_POLICY = {
  SEV1: { ack_minutes: 5, resolve_minutes: 60 },
  SEV2: { ack_minutes: 15, resolve_minutes: 240 },
  SEV3: { ack_minutes: 60, resolve_minutes: 1440 },
  SEV4: { ack_minutes: 240, resolve_minutes: 4320 },
};

export function NewServiceForm({ onDone }: { onDone: () => void }) {
  const create = useCreateService();
  const [name, setName] = useState('');
  const [team, setTeam] = useState('');
  return (
    <form
      className="card form narrow"
      aria-label="New service"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: name.trim(), owner_team: team.trim(), sla_policy: STARTING_POLICY }, { onSuccess: onDone });
      }}
    >
      <div className="row">
        <div className="field">
          <label htmlFor="svc-name">Service name</label>
          <input id="svc-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="svc-team">Owner team</label>
          <input id="svc-team" required value={team} onChange={(e) => setTeam(e.target.value)} />
        </div>
      </div>
      <p className="muted">Starts with SEV1 5m/1h, SEV2 15m/4h, SEV3 1h/1d, SEV4 4h/3d (acknowledge/resolve); edit it below once created.</p>
      <ActionResult error={create.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create service'}
        </button>
        <button type="button" onClick={onDone} disabled={create.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
