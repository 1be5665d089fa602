/** Admins manage where the console tells people about incidents: channels, their test, their deliveries. */
import { useState } from 'react';
import { Link } from 'react-router';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useNow } from '../../../components/useNow';
import { FullTime, RelativeTime } from '../../../components/Time';
import { pluralize } from '../../../lib/format';
import { useAuth } from '../../auth';
import { useServices } from '../../runbooks';
import type { Channel, Delivery, DeliveryPage, Service } from '../../../api/types';
import { useChannels, useDeleteChannel, useDeliveries, useTestChannel } from '../api/notifications';
import { ChannelForm, severityWords } from './ChannelForm';
import { DeliveriesTable, DeliveryStatusBadge, lastAnswer } from './Deliveries';
import { EVENT_LABEL, KIND_LABEL } from './words';
import './Notifications.css';
import { PageHead } from '../../../components/PageHead';

/** How often to look again: quickly while a test is on its way, slowly while a delivery waits for its retry. */
function pollInterval(pages: DeliveryPage[] | undefined, watching: string | null): number | false {
  const items = pages?.flatMap((p) => p.items) ?? [];
  if (watching) {
    const test = items.find((d) => d.id === watching);
    if (!test || (test.status === 'pending' && test.attempts === 0)) return 1000;
  }
  // Queued and not tried yet (just retried by hand): soon; waiting out a back-off: now and then.
  if (items.some((d) => d.status === 'pending' && d.attempts === 0)) return 2000;
  return items.some((d) => d.status === 'pending') ? 10_000 : false;
}

/** The test delivery's outcome, as the deliveries list last saw it. */
function TestOutcome({ delivery }: { delivery: Delivery }) {
  const answer = lastAnswer(delivery);
  let text: string;
  if (delivery.status === 'delivered') text = `The test was delivered (${answer}).`;
  // The server's error names the answer already ("HTTP 400: refused by the receiver").
  else if (delivery.status === 'failed') text = `The test failed: ${delivery.last_error ?? answer}.`;
  else if (delivery.attempts === 0) text = 'Sending the test…';
  else text = `The test did not arrive yet: ${delivery.last_error ?? answer}. It is tried again`;
  return (
    <p className={`test-outcome test-${delivery.status}`} role="status">
      <DeliveryStatusBadge delivery={delivery} /> {text}
      {delivery.status === 'pending' && delivery.attempts > 0 && (
        <>
          {' '}
          <RelativeTime iso={delivery.next_attempt_at} />.
        </>
      )}
    </p>
  );
}

type Mode = 'view' | 'edit' | 'confirm-delete';

function ChannelCard({ channel, services }: { channel: Channel; services: Service[] }) {
  const [mode, setMode] = useState<Mode>('view');
  const [showDeliveries, setShowDeliveries] = useState(false);
  const [watching, setWatching] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const now = useNow(30_000);
  const test = useTestChannel(channel.id);
  const remove = useDeleteChannel(channel.id);
  const deliveries = useDeliveries(channel.id, {
    enabled: showDeliveries || watching !== null,
    poll: (pages) => pollInterval(pages, watching),
  });
  const headingId = `channel-${channel.id}`;
  const listed = deliveries.data?.pages.flatMap((p) => p.items).find((d) => d.id === watching);
  const testDelivery = listed ?? (test.data && test.data.id === watching ? test.data : undefined);
  const serviceNames = channel.service_ids.map((id) => services.find((s) => s.id === id)?.name ?? `service ${id}`);

  return (
    <li className="card channel" aria-labelledby={headingId}>
      <div className="channel-head">
        <h2 id={headingId} className="channel-name">
          {channel.name}
        </h2>
        <span className={`badge kind kind-${channel.kind}`}>{KIND_LABEL[channel.kind]}</span>
      </div>
      {channel.failing_since && (
        <p className="notice channel-failing">
          <span aria-hidden="true">⚠ </span>
          Deliveries have been failing since <FullTime iso={channel.failing_since} />.
          {channel.paused_until && new Date(channel.paused_until).getTime() > now && (
            <>
              {' '}
              The console rests this channel until <FullTime iso={channel.paused_until} />, then tries again.
            </>
          )}
        </p>
      )}
      <p className="channel-url" title={channel.kind === 'webhook' ? undefined : 'Only the host is shown: the whole URL is a credential.'}>
        {channel.url}
      </p>
      {mode === 'edit' ? (
        <ChannelForm
          channel={channel}
          services={services}
          onCancel={() => setMode('view')}
          onSaved={(saved, changed) => {
            setMode('view');
            setDone(changed ? `${saved.name} was saved.` : null);
          }}
        />
      ) : (
        <dl className="channel-facts">
          <dt>Tells about</dt>
          <dd>
            {channel.events.length === 0 ? (
              'Only the escalations that name it'
            ) : (
              <ul className="plain">
                {channel.events.map((ev) => (
                  <li key={ev}>{EVENT_LABEL[ev]}</li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Severities</dt>
          <dd>{severityWords(channel.min_severity)}</dd>
          <dt>Services</dt>
          <dd>{serviceNames.length === 0 ? 'Every service' : serviceNames.join(', ')}</dd>
          {channel.kind === 'webhook' && (
            <>
              <dt>Signature</dt>
              <dd>{channel.has_secret ? 'Signed with a secret' : 'Not signed'}</dd>
            </>
          )}
        </dl>
      )}

      {mode === 'view' && (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={test.isPending}
            aria-label={`Send a test to ${channel.name}`}
            onClick={() => {
              setDone(null);
              test.mutate(undefined, { onSuccess: (d) => setWatching(d.id) });
            }}
          >
            {test.isPending ? 'Sending…' : 'Test'}
          </button>
          <button type="button" aria-expanded={showDeliveries} aria-label={`Deliveries to ${channel.name}`} onClick={() => setShowDeliveries(!showDeliveries)}>
            Deliveries <span aria-hidden="true">{showDeliveries ? '▴' : '▾'}</span>
          </button>
          <button type="button" aria-label={`Edit ${channel.name}`} onClick={() => (setDone(null), setMode('edit'))}>
            Edit
          </button>
          <button type="button" aria-label={`Delete ${channel.name}`} onClick={() => (setDone(null), remove.reset(), setMode('confirm-delete'))}>
            Delete
          </button>
        </div>
      )}

      {mode === 'confirm-delete' && (
        <div className="confirm" role="group" aria-label={`Confirm deleting ${channel.name}`}>
          <p className="notice">
            Delete {channel.name}? It stops hearing every event at once and its delivery history is deleted. A channel that a service’s
            escalation policy names cannot be deleted: take it out of the policy (under Runbooks) first.
          </p>
          <ActionResult error={remove.error} />
          <div className="actions">
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {remove.isPending ? 'Deleting…' : 'Yes, delete'}
            </button>
            <button type="button" onClick={() => setMode('view')} disabled={remove.isPending}>
              Cancel
            </button>
          </div>
        </div>
      )}

      <ActionResult error={test.error} success={mode === 'view' && done} />
      {testDelivery && mode === 'view' && <TestOutcome delivery={testDelivery} />}
      {showDeliveries && <DeliveriesTable channel={channel} query={deliveries} />}
    </li>
  );
}

export default function NotificationsPage() {
  useDocumentTitle('Notifications');
  const auth = useAuth();
  const channels = useChannels(auth.canAdminister);
  const services = useServices();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  if (!auth.canAdminister) {
    return <ErrorState error={new Error('Only an admin manages notifications.')} />;
  }
  const list = channels.data ?? [];
  const serviceList = services.data ?? [];
  return (
    <div className="admin-page notifications-page">
      <PageHead
        title="Notifications"
        add={{
          label: 'Add a channel',
          open: adding,
          onToggle: (open) => {
            setAdding(open);
            setAdded(null);
          },
        }}
      />
      <p className="muted">
        {pluralize(list.length, 'channel')}. A channel is a webhook, a Slack channel or a Microsoft Teams channel the console posts to when
        something happens to an incident; a failed post is retried for a while, then shown here to retry by hand. Who is told when an incident
        stays unacknowledged is set per service under <Link to="/runbooks">Runbooks</Link> (escalation policy).
      </p>
      {adding && (
        <ChannelForm
          services={serviceList}
          onCancel={() => setAdding(false)}
          onSaved={(saved) => {
            setAdding(false);
            setAdded(`${saved.name} was added. Press Test to check that it arrives.`);
          }}
        />
      )}
      <ActionResult success={added} />
      {channels.isPending && <Loading what="channels" />}
      {channels.isError && <ErrorState error={channels.error} retry={() => void channels.refetch()} />}
      {channels.isSuccess && list.length === 0 && <EmptyState>No channels yet: nobody is told about incidents.</EmptyState>}
      <ul className="channels" aria-label="Channels">
        {list.map((channel) => (
          <ChannelCard key={channel.id} channel={channel} services={serviceList} />
        ))}
      </ul>
    </div>
  );
}
