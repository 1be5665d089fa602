/** A channel's deliveries: what was sent, whether it arrived, what the endpoint answered, and a retry for what did not arrive. */
import type { UseInfiniteQueryResult, InfiniteData } from '@tanstack/react-query';
import { Link } from 'react-router';
import { AbsoluteTime, RelativeTime } from '../../../components/Time';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { incidentRef, pluralize } from '../../../lib/format';
import type { Channel, Delivery, DeliveryPage } from '../../../api/types';
import { useRetryDelivery } from '../api/notifications';
import { eventShort, STATUS_TEXT, statusWord } from './words';

export type DeliveriesQuery = UseInfiniteQueryResult<InfiniteData<DeliveryPage>, Error>;

export function DeliveryStatusBadge({ delivery }: { delivery: Pick<Delivery, 'status' | 'attempts'> }) {
  return (
    <span className={`badge delivery delivery-${delivery.status}`}>
      <span aria-hidden="true">{STATUS_TEXT[delivery.status].icon} </span>
      {statusWord(delivery.status, delivery.attempts)}
    </span>
  );
}

/** What the endpoint last answered, in words. */
export function lastAnswer(d: Pick<Delivery, 'last_status_code' | 'attempts'>): string {
  if (d.last_status_code != null) return `HTTP ${d.last_status_code}`;
  return d.attempts > 0 ? 'No answer' : 'Not tried yet';
}

export function DeliveriesTable({ channel, query }: { channel: Channel; query: DeliveriesQuery }) {
  const retry = useRetryDelivery(channel.id);
  if (query.isPending) return <Loading what="deliveries" />;
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  const items = query.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <EmptyState>Nothing has been sent to {channel.name} yet.</EmptyState>;
  const tableId = `deliveries-${channel.id}`;
  return (
    <div className="deliveries">
      <div className="table-wrap" role="region" aria-labelledby={`${tableId}-caption`} tabIndex={0}>
        {/* Explicit roles: the phone layout (Notifications.css) displays the rows as blocks, which drops the implicit ones. */}
        <table className="deliveries-table" role="table">
          <caption id={`${tableId}-caption`}>
            Deliveries to {channel.name}, newest first ({pluralize(items.length, 'delivery', 'deliveries')} shown)
          </caption>
          <thead role="rowgroup">
            <tr role="row">
              <th scope="col" role="columnheader">Status</th>
              <th scope="col" role="columnheader">Event</th>
              <th scope="col" role="columnheader">Incident</th>
              <th scope="col" role="columnheader">Attempts</th>
              <th scope="col" role="columnheader">Last answer</th>
              <th scope="col" role="columnheader">Last error</th>
              <th scope="col" role="columnheader">Next attempt</th>
              <th scope="col" role="columnheader">Delivered</th>
              <th scope="col" role="columnheader">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {items.map((d) => (
              <tr key={d.id} role="row">
                <td role="cell" data-label="Status">
                  <DeliveryStatusBadge delivery={d} />
                </td>
                <td role="cell" data-label="Event">{eventShort(d.event)}</td>
                <td role="cell" data-label="Incident">{d.incident_id != null ? <Link to={`/incidents/${d.incident_id}`}>{incidentRef(d.incident_id)}</Link> : <span className="muted">—</span>}</td>
                <td role="cell" className="num" data-label="Attempts">{d.attempts}</td>
                <td role="cell" data-label="Last answer">{lastAnswer(d)}</td>
                <td role="cell" className="last-error" data-label="Last error">{d.last_error || <span className="muted">—</span>}</td>
                <td role="cell" data-label="Next attempt">{d.status === 'pending' ? <RelativeTime iso={d.next_attempt_at} /> : <span className="muted">—</span>}</td>
                <td role="cell" data-label="Delivered">
                  <AbsoluteTime iso={d.delivered_at} />
                </td>
                <td role="cell" className="no-label">
                  {d.status !== 'delivered' && (
                    <button
                      type="button"
                      disabled={retry.isPending && retry.variables === d.id}
                      onClick={() => retry.mutate(d.id)}
                      aria-label={`Retry now: ${eventShort(d.event)}${d.incident_id != null ? ` of ${incidentRef(d.incident_id)}` : ''}, ${statusWord(d.status, d.attempts).toLowerCase()}`}
                    >
                      {retry.isPending && retry.variables === d.id ? 'Retrying…' : 'Retry now'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ActionResult error={retry.error} success={retry.isSuccess && 'Queued to send again now.'} />
      {query.hasNextPage && (
        <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage ? 'Loading…' : 'Show older deliveries'}
        </button>
      )}
    </div>
  );
}
