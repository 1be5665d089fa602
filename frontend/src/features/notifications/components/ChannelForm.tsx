/** Adding or changing a notification channel: where it posts, which events it hears, for which severities and services. */
import { useState } from 'react';
import { SEVERITIES, type Service, type Severity } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { CHANNEL_KINDS, NOTIFICATION_EVENTS, type Channel, type ChannelCreate, type ChannelKind, type NotificationEvent } from '../api/contract';
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
  const [events, setEvents] = useState<NotificationEvent[]>(channel?.events ?? ['incident.created', 'sla.breached', 'incident.escalated']);
  const [minSeverity, setMinSeverity] = useState<Severity | ''>(channel?.min_severity ?? '');
  const [serviceIds, setServiceIds] = useState<number[]>(channel?.service_ids ?? []);
  const [problem, setProblem] = useState<string | null>(null);
  const prefix = channel ? `channel-${channel.id}` : 'new-channel';
  // A new URL is needed for a new channel, or when an edit changes the kind of a channel whose URL is hidden.
  const urlRequired = !channel || (kind !== channel.kind && hidesUrl(channel.kind));
  const keepsUrl = Boolean(channel) && !urlRequired && hidesUrl(channel?.kind ?? 'webhook');
  const label = channel ? `Edit channel ${channel.name}` : 'Add a channel';

  const toggle = <T,>(list: T[], item: T, on: boolean) => (on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item));

  return (
    <form
      className="card form channel-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        if (events.length === 0) {
          setProblem('Choose at least one event for this channel to hear.');
          return;
        }
        setProblem(null);
        const full: ChannelCreate = {
          name: name.trim(),
          kind,
          url: url.trim(),
          events: NOTIFICATION_EVENTS.filter((ev) => events.includes(ev)),
          min_severity: minSeverity || null,
          service_ids: [...serviceIds].sort((a, b) => a - b),
          ...(kind === 'webhook' && secret ? { secret } : {}),
        };
        if (!channel) {
          create.mutate(full, { onSuccess: (saved) => onSaved(saved, true) });
          return;
        }
        // An edit sends what changed; an empty URL or secret keeps the stored one.
        const body: Partial<ChannelCreate> = {};
        if (full.name !== channel.name) body.name = full.name;
        if (full.kind !== channel.kind) body.kind = full.kind;
        if (full.url && full.url !== channel.url) body.url = full.url;
        if (full.secret) body.secret = full.secret;
        if (full.events.join() !== channel.events.join()) body.events = full.events;
        if (full.min_severity !== channel.min_severity) body.min_severity = full.min_severity;
        if (full.service_ids?.join() !== [...channel.service_ids].sort((a, b) => a - b).join()) body.service_ids = full.service_ids;
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
          <select id={`${prefix}-kind`} value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-url`}>{kind === 'webhook' ? 'URL' : `${KIND_LABEL[kind]} webhook URL`}</label>
        <input
          id={`${prefix}-url`}
          type="url"
          required={urlRequired}
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
            onChange={(e) => setSecret(e.target.value)}
            autoComplete="new-password"
            aria-describedby={`${prefix}-secret-hint`}
          />
          <p id={`${prefix}-secret-hint`} className="muted hint">
            {channel ? 'Leave empty to keep the current secret. ' : ''}
            With a secret, each request carries an HMAC-SHA256 signature of its body, so the receiver can tell it came from this console. It is
            never shown again.
          </p>
        </div>
      )}
      <fieldset className="choices">
        <legend>Tell this channel when</legend>
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
      {problem && (
        <p className="error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {problem}
        </p>
      )}
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
