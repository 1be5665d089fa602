/**
 * "My follow-ups": the open action items the signed-in person owns, overdue first (visibly
 * marked), then by due date, those without one last; each links to its incident and can be
 * marked done here. Everyone's, or the done ones, are a choice away.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import type { ActionItem, ActionItemStatus } from '../../../api/types';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { incidentRef, pluralize } from '../../../lib/format';
import { useAuth } from '../../auth';
import { useFollowUps, useUpdateActionItem } from '../api/followUps';
import { FollowUpLine } from './FollowUpItem';
import './FollowUps.css';

function Row({ item, canAct }: { item: ActionItem; canAct: boolean }) {
  const update = useUpdateActionItem(item);
  const done = item.status === 'done';
  return (
    <FollowUpLine
      item={item}
      incidentLink={
        <p className="followup-incident">
          <span className={`badge sev-${item.incident_severity.toLowerCase()}`}>{item.incident_severity}</span>{' '}
          <Link to={`/incidents/${item.incident_id}`}>
            <span className="inc-ref">{incidentRef(item.incident_id)}</span> {item.incident_title}
          </Link>
        </p>
      }
    >
      {canAct && (
        <div className="actions small">
          <button type="button" disabled={update.isPending} onClick={() => update.mutate({ status: done ? 'open' : 'done' })}>
            {done ? 'Reopen' : 'Mark done'}
            <span className="visually-hidden">: {item.title}</span>
          </button>
        </div>
      )}
      <ActionResult error={update.error} />
    </FollowUpLine>
  );
}

export default function MyFollowUpsPage() {
  useDocumentTitle('My follow-ups');
  const auth = useAuth();
  const [mine, setMine] = useState(true);
  const [status, setStatus] = useState<ActionItemStatus>('open');
  const query = useFollowUps({ mine, status });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const overdue = items.filter((i) => i.overdue).length;

  return (
    <section aria-labelledby="followups-page-title" className="followups-page">
      <div className="page-head">
        <h1 id="followups-page-title">{mine ? 'My follow-ups' : 'Everyone’s follow-ups'}</h1>
        {query.data && status === 'open' && (
          <span className={overdue > 0 ? 'text-breached' : 'muted'}>
            {pluralize(overdue, 'overdue item')} · {pluralize(items.length, 'open item')}
            {query.hasNextPage ? ' so far' : ''}
          </span>
        )}
      </div>
      <div className="filters" role="group" aria-label="Which follow-ups">
        <div className="field">
          <label htmlFor="followups-whose">Whose</label>
          <select id="followups-whose" value={mine ? 'mine' : 'all'} onChange={(e) => setMine(e.target.value === 'mine')}>
            <option value="mine">Mine</option>
            <option value="all">Everyone’s</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="followups-status">Status</label>
          <select id="followups-status" value={status} onChange={(e) => setStatus(e.target.value as ActionItemStatus)}>
            <option value="open">Open</option>
            <option value="done">Done</option>
          </select>
        </div>
      </div>
      {query.isPending && <Loading what="follow-ups" />}
      {query.isError && <ErrorState error={query.error} retry={() => void query.refetch()} />}
      {query.data && items.length === 0 && (
        <EmptyState>
          {status === 'open' ? 'Nothing to follow up: no open items.' : 'No follow-ups done yet.'}{' '}
          {mine && !auth.canWorkIncidents && 'Your role cannot own follow-ups.'}
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="followup-list card" aria-label={mine ? 'My follow-ups' : 'Everyone’s follow-ups'}>
          {items.map((item) => (
            <Row key={item.id} item={item} canAct={auth.canWorkIncidents} />
          ))}
        </ul>
      )}
      {query.hasNextPage && (
        <button type="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      )}
    </section>
  );
}
