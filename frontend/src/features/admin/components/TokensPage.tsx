/** API tokens for scripts and tools: everyone makes their own (an admin sees and revokes everyone's). */
import { useState } from 'react';
import type { ApiToken, ApiTokenCreated, Role } from '../../../api/types';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { AbsoluteTime, RelativeTime } from '../../../components/Time';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useAuth } from '../../auth';
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from '../api/people';
import { ROLE_HINT, ROLE_LABEL, rolesUpTo } from './roles';
import './Admin.css';

/** Expiry choices, in days; 0 is "never". */
const EXPIRIES: { days: number; label: string }[] = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 0, label: 'Never' },
];

function NewToken({ created, onDone }: { created: ApiTokenCreated; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  return (
    <section className="card new-token" aria-labelledby="new-token-title">
      <h2 id="new-token-title">Your new token “{created.name}”</h2>
      <p className="warning">
        <span aria-hidden="true">⚠ </span>
        Copy it now and keep it somewhere safe: it is shown only this once. Anyone who has it can act as you with the {ROLE_LABEL[created.role as Role].toLowerCase()} role.
      </p>
      <div className="token-copy">
        <label htmlFor="new-token-value" className="visually-hidden">
          The new token
        </label>
        <input id="new-token-value" readOnly value={created.token} onFocus={(e) => e.target.select()} spellCheck={false} />
        <button
          type="button"
          className="primary"
          onClick={() => {
            navigator.clipboard.writeText(created.token).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            );
          }}
        >
          Copy token
        </button>
      </div>
      {copied === 'yes' && (
        <p className="success" role="status">
          Copied to the clipboard.
        </p>
      )}
      {copied === 'failed' && (
        <p className="error" role="alert">
          The browser did not allow copying: select the token and copy it by hand.
        </p>
      )}
      <p className="muted">
        Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <div className="actions">
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}

function CreateTokenForm({ myRole, onCreated }: { myRole: Role; onCreated: (token: ApiTokenCreated) => void }) {
  const create = useCreateApiToken();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(myRole);
  const [days, setDays] = useState(90);
  return (
    <form
      className="card form narrow"
      aria-label="Create an API token"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          { name: name.trim(), role, ...(days > 0 ? { expires_in_days: days } : {}) },
          {
            onSuccess: (token) => {
              setName('');
              onCreated(token);
            },
          },
        );
      }}
    >
      <h2>Create a token</h2>
      <div className="field">
        <label htmlFor="token-name">Name</label>
        <input
          id="token-name"
          required
          maxLength={120}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="deploy-bot"
          aria-describedby="token-name-hint"
          autoComplete="off"
        />
        <p id="token-name-hint" className="muted hint">
          What uses it. Its changes show on the timeline as “token ‘name’ of you”.
        </p>
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="token-role">Role</label>
          <select id="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {rolesUpTo(myRole).map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}: {ROLE_HINT[r]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="token-expiry">Expires after</label>
          <select id="token-expiry" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {EXPIRIES.map((x) => (
              <option key={x.days} value={x.days}>
                {x.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ActionResult error={create.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

function stateOf(token: ApiToken, now: number): 'revoked' | 'expired' | 'active' {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && Date.parse(token.expires_at) <= now) return 'expired';
  return 'active';
}

const STATE_LABEL = { revoked: 'Revoked', expired: 'Expired', active: 'Active' } as const;

function TokenCard({ token, showOwner }: { token: ApiToken; showOwner: boolean }) {
  const revoke = useRevokeApiToken(token.id);
  const [confirming, setConfirming] = useState(false);
  const [now] = useState(() => Date.now());
  const state = stateOf(token, now);
  const headingId = `token-${token.id}`;
  return (
    <li className={`card token token-${state}`} aria-labelledby={headingId}>
      <div className="person-head">
        <h3 id={headingId} className="person-name">
          {token.name}
        </h3>
        <code className="muted">{token.prefix}…</code>
        <span className={`role role-${token.role}`}>{ROLE_LABEL[token.role]}</span>
        <span className={`badge state-${state === 'active' ? 'active' : 'inactive'}`}>{STATE_LABEL[state]}</span>
      </div>
      <dl className="token-facts">
        {showOwner && (
          <>
            <dt>Belongs to</dt>
            <dd>{token.user_name}</dd>
          </>
        )}
        <dt>Created</dt>
        <dd>
          <AbsoluteTime iso={token.created_at} />
        </dd>
        <dt>Expires</dt>
        <dd>{token.expires_at ? <AbsoluteTime iso={token.expires_at} /> : 'Never'}</dd>
        <dt>Last used</dt>
        <dd>{token.last_used_at ? <RelativeTime iso={token.last_used_at} /> : 'Never used'}</dd>
        {token.revoked_at && (
          <>
            <dt>Revoked</dt>
            <dd>
              <AbsoluteTime iso={token.revoked_at} />
            </dd>
          </>
        )}
      </dl>
      {state !== 'revoked' && !confirming && (
        <div className="actions">
          <button type="button" onClick={() => setConfirming(true)} aria-label={`Revoke token ${token.name}`}>
            Revoke
          </button>
        </div>
      )}
      {state !== 'revoked' && confirming && (
        <div className="confirm" role="group" aria-label={`Confirm revoking token ${token.name}`}>
          <p className="warning">Revoke “{token.name}”? Anything using it is refused from now on. This cannot be undone.</p>
          <ActionResult error={revoke.error} />
          <div className="actions">
            <button type="button" className="danger" disabled={revoke.isPending} onClick={() => revoke.mutate(undefined, { onSuccess: () => setConfirming(false) })}>
              {revoke.isPending ? 'Revoking…' : 'Yes, revoke'}
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={revoke.isPending}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

export default function TokensPage() {
  useDocumentTitle('API tokens');
  const auth = useAuth();
  const tokens = useApiTokens();
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const me = auth.user;
  if (!me) return null;
  const list = tokens.data ?? [];
  const mine = list.filter((t) => t.user_id === me.id);
  const others = list.filter((t) => t.user_id !== me.id);
  return (
    <div className="admin-page">
      <h1>API tokens</h1>
      <p className="muted">
        A token lets a script or tool call the API as you, with at most your role, without your password. Revoke it when it is no longer needed.
      </p>
      {created ? <NewToken created={created} onDone={() => setCreated(null)} /> : <CreateTokenForm myRole={me.role} onCreated={setCreated} />}
      {tokens.isPending && <Loading what="tokens" />}
      {tokens.isError && <ErrorState error={tokens.error} retry={() => void tokens.refetch()} />}
      {tokens.isSuccess && (
        <section aria-labelledby="my-tokens">
          <h2 id="my-tokens">Your tokens</h2>
          {mine.length === 0 ? (
            <EmptyState>You have no API tokens yet.</EmptyState>
          ) : (
            <ul className="tokens" aria-label="Your tokens">
              {mine.map((t) => (
                <TokenCard key={t.id} token={t} showOwner={false} />
              ))}
            </ul>
          )}
        </section>
      )}
      {tokens.isSuccess && auth.canAdminister && (
        <section aria-labelledby="others-tokens">
          <h2 id="others-tokens">Everyone else’s tokens</h2>
          {others.length === 0 ? (
            <EmptyState>Nobody else has an API token.</EmptyState>
          ) : (
            <ul className="tokens" aria-label="Everyone else’s tokens">
              {others.map((t) => (
                <TokenCard key={t.id} token={t} showOwner />
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
