/** Admins manage people: add someone, change their name or role, deactivate or reactivate them, reset a password. */
import { useState } from 'react';
import { ROLES, type Role, type User } from '../../../api/types';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useAuth } from '../../auth';
import { useCreatePerson, usePeople, useResetPassword, useUpdatePerson } from '../api/people';
import { ROLE_HINT, ROLE_LABEL } from './roles';
import './Admin.css';
import { PageHead } from '../../../components/PageHead';

const PASSWORD_HINT = 'At least 8 characters, and not one of the 10,000 most common passwords.';

function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange: (role: Role) => void }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABEL[r]}: {ROLE_HINT[r]}
        </option>
      ))}
    </select>
  );
}

function AddPersonForm({ onDone }: { onDone: (added: User) => void }) {
  const create = useCreatePerson();
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('responder');
  const [password, setPassword] = useState('');
  return (
    <form
      className="card form narrow"
      aria-label="Add a person"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ username: username.trim(), name: name.trim(), role, password }, { onSuccess: onDone });
      }}
    >
      <div className="row">
        <div className="field">
          <label htmlFor="new-name">Full name</label>
          <input id="new-name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="new-username">Username</label>
          <input id="new-username" required value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        </div>
      </div>
      <div className="field">
        <label htmlFor="new-role">Role</label>
        <RoleSelect id="new-role" value={role} onChange={setRole} />
      </div>
      <div className="field">
        <label htmlFor="new-password">First password</label>
        <input
          id="new-password"
          type="password"
          required
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          aria-describedby="new-password-hint"
        />
        <p id="new-password-hint" className="muted hint">
          {PASSWORD_HINT} Give it to them in person; they can change it after signing in.
        </p>
      </div>
      <ActionResult error={create.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add person'}
        </button>
      </div>
    </form>
  );
}

type Mode = 'view' | 'edit' | 'password' | 'confirm-active';

function PersonCard({ person, isYou }: { person: User; isYou: boolean }) {
  const [mode, setMode] = useState<Mode>('view');
  const [name, setName] = useState(person.name);
  const [role, setRole] = useState<Role>(person.role);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const update = useUpdatePerson(person.id);
  const reset = useResetPassword(person.id);
  const open = (next: Mode) => {
    update.reset();
    reset.reset();
    setDone(null);
    setName(person.name);
    setRole(person.role);
    setPassword('');
    setMode(next);
  };
  const finish = (message: string) => {
    setMode('view');
    setDone(message);
  };
  const headingId = `person-${person.id}`;
  return (
    <li className={`card person${person.is_active ? '' : ' person-inactive'}`} aria-labelledby={headingId}>
      <div className="person-head">
        <h2 id={headingId} className="person-name">
          {person.name}
          {isYou && <span className="muted"> (you)</span>}
        </h2>
        <span className="muted person-username">{person.username}</span>
        <span className={`role role-${person.role}`}>{ROLE_LABEL[person.role]}</span>
        <span className={`badge ${person.is_active ? 'state-active' : 'state-inactive'}`}>{person.is_active ? 'Active' : 'Deactivated'}</span>
      </div>

      {mode === 'view' && (
        <div className="actions">
          <button type="button" onClick={() => open('edit')} aria-label={`Edit ${person.name}`}>
            Edit
          </button>
          <button type="button" onClick={() => open('password')} aria-label={`Reset password for ${person.name}`}>
            Reset password
          </button>
          <button type="button" onClick={() => open('confirm-active')} aria-label={`${person.is_active ? 'Deactivate' : 'Reactivate'} ${person.name}`}>
            {person.is_active ? 'Deactivate' : 'Reactivate'}
          </button>
        </div>
      )}

      {mode === 'edit' && (
        <form
          className="form"
          aria-label={`Edit ${person.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            const body = { ...(name.trim() !== person.name ? { name: name.trim() } : {}), ...(role !== person.role ? { role } : {}) };
            if (Object.keys(body).length === 0) return setMode('view');
            update.mutate(body, {
              onSuccess: () => finish(role !== person.role ? `${name.trim()} is now ${ROLE_LABEL[role].toLowerCase()}; they were signed out to pick up the new role.` : 'Saved.'),
            });
          }}
        >
          <div className="row">
            <div className="field">
              <label htmlFor={`name-${person.id}`}>Full name</label>
              <input id={`name-${person.id}`} required value={name} onChange={(e) => setName(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={`role-${person.id}`}>Role</label>
              <RoleSelect id={`role-${person.id}`} value={role} onChange={setRole} />
            </div>
          </div>
          {role !== person.role && (
            <p className="warning">
              Changing the role signs {isYou ? 'you' : person.name} out everywhere
              {role !== 'admin' && person.role !== 'viewer' ? ', and their API tokens are limited to the new role' : ''}.
            </p>
          )}
          <ActionResult error={update.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={update.isPending}>
              {update.isPending ? 'Saving…' : 'Save'}
            </button>
            <button type="button" onClick={() => setMode('view')} disabled={update.isPending}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {mode === 'password' && (
        <form
          className="form"
          aria-label={`Reset password for ${person.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            reset.mutate(password, { onSuccess: () => finish(`Password reset. ${person.name} was signed out everywhere.`) });
          }}
        >
          <div className="field">
            <label htmlFor={`password-${person.id}`}>New password for {person.name}</label>
            <input
              id={`password-${person.id}`}
              type="password"
              required
              minLength={8}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
              aria-describedby={`password-hint-${person.id}`}
            />
            <p id={`password-hint-${person.id}`} className="muted hint">
              {PASSWORD_HINT} Their current sessions end.
            </p>
          </div>
          <ActionResult error={reset.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={reset.isPending}>
              {reset.isPending ? 'Saving…' : 'Set password'}
            </button>
            <button type="button" onClick={() => setMode('view')} disabled={reset.isPending}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {mode === 'confirm-active' && (
        <div className="confirm" role="group" aria-label={`Confirm ${person.is_active ? 'deactivation' : 'reactivation'} of ${person.name}`}>
          <p className="warning">
            {person.is_active
              ? `Deactivate ${person.name}? ${isYou ? 'You are' : 'They are'} signed out at once, cannot sign in, and every API token of theirs is revoked.`
              : `Reactivate ${person.name}? They can sign in again; their old API tokens stay revoked.`}
          </p>
          <ActionResult error={update.error} />
          <div className="actions">
            <button
              type="button"
              className={person.is_active ? 'danger' : 'primary'}
              disabled={update.isPending}
              onClick={() =>
                update.mutate(
                  { is_active: !person.is_active },
                  { onSuccess: () => finish(person.is_active ? `${person.name} was deactivated.` : `${person.name} can sign in again.`) },
                )
              }
            >
              {person.is_active ? 'Yes, deactivate' : 'Yes, reactivate'}
            </button>
            <button type="button" onClick={() => setMode('view')} disabled={update.isPending}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ActionResult success={mode === 'view' && done} />
    </li>
  );
}

export default function PeoplePage() {
  useDocumentTitle('People');
  const auth = useAuth();
  const people = usePeople();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  if (!auth.canAdminister) {
    return <ErrorState error={new Error('Only an admin manages people.')} />;
  }
  const list = people.data ?? [];
  const active = list.filter((p) => p.is_active).length;
  return (
    <div className="admin-page">
      <PageHead
        title="People"
        add={{
          label: 'Add a person',
          open: adding,
          onToggle: (open) => {
            setAdding(open);
            setAdded(null);
          },
        }}
      />
      <p className="muted">
        {list.length === 1 ? '1 person' : `${list.length} people`}, {active} active. A role change, a deactivation or a password reset signs the
        person out at once.
      </p>
      {adding && (
        <AddPersonForm
          onDone={(person) => {
            setAdding(false);
            setAdded(`${person.name} was added as ${ROLE_LABEL[person.role].toLowerCase()}; they can sign in as “${person.username}”.`);
          }}
        />
      )}
      <ActionResult success={added} />
      {people.isPending && <Loading what="people" />}
      {people.isError && <ErrorState error={people.error} retry={() => void people.refetch()} />}
      {people.isSuccess && list.length === 0 && <EmptyState>Nobody here yet.</EmptyState>}
      <ul className="people" aria-label="People">
        {list.map((person) => (
          <PersonCard key={person.id} person={person} isYou={person.id === auth.user?.id} />
        ))}
      </ul>
    </div>
  );
}
