/** Adding or changing a notification channel: where it posts, which events it hears, for which severities and services. */
import { useState } from 'react';
import {
  CHANNEL_KINDS,
  NOTIFICATION_EVENTS,
  SEVERITIES,
  type Channel,
  type ChannelCreate,
  type ChannelKind,
  type ChannelUpdate,
  type NotificationEvent,
  type Service,
  type Severity,
} from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { useCreateChannel, useUpdateChannel } from '../api/notifications';
import { EVENT_LABEL, KIND_LABEL } from './words';

const URL_HINT: Record<ChannelKind, string> = {
  webhook: 'Any HTTPS endpoint that accepts a JSON POST.',
  slack: 'A Slack incoming webhook (Slack: Apps → Incoming Webhooks → Add New Webhook), e.g. https://hooks.slack.com/services/….',
  teams: 'A Teams workflow URL (Teams: Workflows → “Post to a channel when a webhook request is received”).',
};

/** The severity filter, in words: a channel hears incidents at least this severe. */
export function severityWords(min: Severity | null): string {
  if (!min) return 'Every severity';
  return min === 'SEV1' ? 'SEV1 only' : `${min} or worse`;
}

/** Slack and Teams URLs are credentials: the server shows only their host, so an edit starts empty. */
const hidesUrl = (kind: ChannelKind) => kind !== 'webhook';

export function ChannelForm({
  channel,
  services,
  onSaved,
  onCancel,
}: {
  channel?: Channel;
  services: Service[];
  onSaved: (saved: Channel, changed: boolean) => void;
  onCancel: () => void;
}) {
  const create = useCreateChannel();
  const update = useUpdateChannel(channel?.id ?? -1);
  const mutation = channel ? update : create;
  const [name, setName] = useState(channel?.name ?? '');
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? 'webhook');
  const [url, setUrl] = useState(channel && !hidesUrl(channel.kind) ? channel.url : '');
  const [secret, setSecret] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [events, setEvents] = useState<NotificationEvent[]>(channel?.events ?? ['incident.created', 'sla.breached', 'incident.escalated']);
  const [minSeverity, setMinSeverity] = useState<Severity | ''>(channel?.min_severity ?? '');
  const [serviceIds, setServiceIds] = useState<number[]>(channel?.service_ids ?? []);
  const prefix = channel ? `channel-${channel.id}` : 'new-channel';
  // An edit of a Slack or Teams channel starts with an empty URL, which keeps the stored one.
  const keepsUrl = channel !== undefined && hidesUrl(channel.kind);
  const label = channel ? `Edit channel ${channel.name}` : 'Add a channel';

  const toggle = <T,>(list: T[], item: T, on: boolean) => (on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item));

  return (
    <form
      className="card form channel-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        const chosenEvents = NOTIFICATION_EVENTS.filter((ev) => events.includes(ev));
        const chosenServices = [...serviceIds].sort((x, y) => x - y);
        const severity = minSeverity || null;
        if (!channel) {
          const body: ChannelCreate = {
            name: name.trim(),
            kind,
            url: url.trim(),
            events: chosenEvents,
            min_severity: severity,
            service_ids: chosenServices,
            ...(kind === 'webhook' && secret ? { secret } : {}),
          };
          create.mutate(body, { onSuccess: (saved) => onSaved(saved, true) });
          return;
        }
        // An edit sends what changed; an empty URL or secret keeps the stored one.
        const body: ChannelUpdate = {};
        if (name.trim() !== channel.name) body.name = name.trim();
        if (url.trim() && url.trim() !== channel.url) body.url = url.trim();
        if (secret) body.secret = secret;
        else if (removeSecret) body.secret = null;
        if (chosenEvents.join() !== NOTIFICATION_EVENTS.filter((ev) => channel.events.includes(ev)).join()) body.events = chosenEvents;
        if (severity !== channel.min_severity) body.min_severity = severity;
        if (chosenServices.join() !== [...channel.service_ids].sort((x, y) => x - y).join()) body.service_ids = chosenServices;
        if (Object.keys(body).length === 0) {
          onSaved(channel, false);
          return;
        }
        update.mutate(body, { onSuccess: (saved) => onSaved(saved, true) });
      }}
    >
      <h2 className="form-title">{channel ? `Edit ${channel.name}` : 'Add a channel'}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input id={`${prefix}-name`} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-kind`}>Kind</label>
          <select
            id={`${prefix}-kind`}
            value={kind}
            disabled={channel !== undefined}
            aria-describedby={channel ? `${prefix}-kind-hint` : undefined}
            onChange={(e) => setKind(e.target.value as ChannelKind)}
          >
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
          {channel && (
            <p id={`${prefix}-kind-hint`} className="muted hint">
              A channel keeps its kind: add another channel for another kind.
            </p>
          )}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-url`}>{kind === 'webhook' ? 'URL' : `${KIND_LABEL[kind]} webhook URL`}</label>
        <input
          id={`${prefix}-url`}
          type="url"
          required={!channel}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          autoComplete="off"
          placeholder={keepsUrl ? channel?.url : 'https://'}
          aria-describedby={`${prefix}-url-hint`}
        />
        <p id={`${prefix}-url-hint`} className="muted hint">
          {URL_HINT[kind]}
          {keepsUrl && ' It is kept secret and shown only by its host: leave this empty to keep it, or paste a new one.'}
        </p>
      </div>
      {kind === 'webhook' && (
        <div className="field">
          <label htmlFor={`${prefix}-secret`}>Signing secret{channel ? '' : ' (optional)'}</label>
          <input
            id={`${prefix}-secret`}
            type="password"
            value={secret}
            disabled={removeSecret}
            onChange={(e) => setSecret(e.target.value)}
            autoComplete="new-password"
            aria-describedby={`${prefix}-secret-hint`}
          />
          <p id={`${prefix}-secret-hint`} className="muted hint">
            {channel ? (channel.has_secret ? 'Leave empty to keep the current secret. ' : 'None is set. ') : ''}
            With a secret, each request carries an HMAC-SHA256 signature of its body, so the receiver can tell it came from this console. It is
            never shown again.
          </p>
          {channel?.has_secret && (
            <label className="choice">
              <input type="checkbox" checked={removeSecret} onChange={(e) => (setRemoveSecret(e.target.checked), setSecret(''))} />
              Remove the secret (requests are no longer signed)
            </label>
          )}
        </div>
      )}
      <fieldset className="choices" aria-describedby={`${prefix}-events-hint`}>
        <legend>Tell this channel when</legend>
        <p id={`${prefix}-events-hint`} className="muted hint">
          None chosen: it hears only the escalations that name it (set per service under Runbooks).
        </p>
        {NOTIFICATION_EVENTS.map((ev) => (
          <label key={ev} className="choice">
            <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents((list) => toggle(list, ev, e.target.checked))} />
            {EVENT_LABEL[ev]}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${prefix}-severity`}>For incidents of</label>
        <select id={`${prefix}-severity`} value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as Severity | '')}>
          <option value="">Every severity</option>
          {SEVERITIES.slice(0, -1).map((sev) => (
            <option key={sev} value={sev}>
              {severityWords(sev)}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="choices" aria-describedby={`${prefix}-services-hint`}>
        <legend>For services</legend>
        <p id={`${prefix}-services-hint`} className="muted hint">
          None chosen: every service, including ones added later.
        </p>
        {services.map((svc) => (
          <label key={svc.id} className="choice">
            <input
              type="checkbox"
              checked={serviceIds.includes(svc.id)}
              onChange={(e) => setServiceIds((list) => toggle(list, svc.id, e.target.checked))}
            />
            {svc.name}
          </label>
        ))}
      </fieldset>
      <ActionResult error={mutation.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : channel ? 'Save channel' : 'Add channel'}
        </button>
        <button type="button" onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
