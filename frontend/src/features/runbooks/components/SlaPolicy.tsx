/** A service's SLA policy as a table (ack and resolve targets and the business-hours calendar per severity), editable by admins with a live preview. */
import { useState } from 'react';
import { SEVERITIES, type Calendar, type Service, type Severity, type SlaPolicy } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { FullTime } from '../../../components/Time';
import { formatDuration } from '../../../lib/format';
import { useCalendars, useSlaPreview } from '../../calendars';
import { useUpdateService } from '../api/runbooks';
import { SaveBar } from './SaveBar';

type Targets = { ack_minutes: number; resolve_minutes: number; calendar_id?: number | null };

function calendarName(calendars: Calendar[] | undefined, id: number | null | undefined): string {
  if (!id) return '24x7';
  return calendars?.find((c) => c.id === id)?.name ?? `calendar ${id}`;
}

/** A datetime-local input's value for a moment, in the browser's zone, to the minute. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

type Row = { ack: string; resolve: string; calendar: string };

/** What an incident opened at a chosen moment would get under the policy as edited (not yet saved). */
function PolicyPreview({ service, rows }: { service: Service; rows: Record<string, Row> }) {
  const [severity, setSeverity] = useState<Severity>('SEV3');
  const [start, setStart] = useState(() => localInput(Date.now()));
  const row = rows[severity];
  const startMs = Date.parse(start);
  const ack = Number(row.ack);
  const resolve = Number(row.resolve);
  const usable = Number.isFinite(startMs) && ack > 0 && resolve >= ack && Number.isInteger(ack) && Number.isInteger(resolve);
  const preview = useSlaPreview(
    usable
      ? {
          service_id: service.id,
          severity,
          start: new Date(startMs).toISOString(),
          calendar_id: row.calendar ? Number(row.calendar) : 'none',
          ack_minutes: ack,
          resolve_minutes: resolve,
        }
      : null,
  );
  return (
    <section className="sla-preview" aria-labelledby="sla-preview-title">
      <h3 id="sla-preview-title">Preview</h3>
      <div className="row">
        <div className="field">
          <label htmlFor="sla-preview-severity">Severity</label>
          <select id="sla-preview-severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
            {SEVERITIES.map((sev) => (
              <option key={sev} value={sev}>
                {sev}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sla-preview-start">Opened at (your browser's time)</label>
          <input id="sla-preview-start" type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
        </div>
      </div>
      {!usable && <p className="muted">Enter whole minutes, acknowledge no later than resolve, to see the due times.</p>}
      <ActionResult error={preview.error} />
      {usable && preview.data && (
        <dl className="facts" aria-live="polite">
          <dt>Acknowledge due</dt>
          <dd>
            <FullTime iso={preview.data.ack_due_at} />
          </dd>
          <dt>Resolve due</dt>
          <dd>
            <FullTime iso={preview.data.resolve_due_at} />
          </dd>
          <dt>At risk from</dt>
          <dd>
            <FullTime iso={preview.data.resolve_at_risk_at} /> (75% of the time used)
          </dd>
        </dl>
      )}
    </section>
  );
}

function target(policy: SlaPolicy, severity: string): Targets | undefined {
  return (policy as Record<string, Targets | undefined>)[severity];
}

export function SlaPolicyTable({ service }: { service: Service }) {
  const calendars = useCalendars();
  return (
    <table className="sla-policy">
      <caption>SLA policy for {service.name}</caption>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Acknowledge within</th>
          <th scope="col">Resolve within</th>
          <th scope="col">Clock</th>
        </tr>
      </thead>
      <tbody>
        {SEVERITIES.map((sev) => {
          const t = target(service.sla_policy, sev);
          return (
            <tr key={sev}>
              <th scope="row">{sev}</th>
              <td>{t ? formatDuration(t.ack_minutes * 60) : '—'}</td>
              <td>{t ? formatDuration(t.resolve_minutes * 60) : '—'}</td>
              <td>{calendarName(calendars.data, t?.calendar_id)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function SlaPolicyEditor({ service, onDone }: { service: Service; onDone: () => void }) {
  const update = useUpdateService();
  const calendars = useCalendars();
  const [rows, setRows] = useState<Record<string, Row>>(() =>
    Object.fromEntries(
      SEVERITIES.map((sev) => {
        const t = target(service.sla_policy, sev);
        return [
          sev,
          { ack: t ? String(t.ack_minutes) : '', resolve: t ? String(t.resolve_minutes) : '', calendar: t?.calendar_id ? String(t.calendar_id) : '' },
        ];
      }),
    ),
  );

  return (
    <form
      className="card form"
      aria-label={`Edit SLA policy for ${service.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        const sla_policy = Object.fromEntries(
          SEVERITIES.filter((sev) => rows[sev].ack && rows[sev].resolve).map((sev) => [
            sev,
            {
              ack_minutes: Number(rows[sev].ack),
              resolve_minutes: Number(rows[sev].resolve),
              ...(rows[sev].calendar ? { calendar_id: Number(rows[sev].calendar) } : {}),
            },
          ]),
        );
        update.mutate({ id: service.id, body: { sla_policy } }, { onSuccess: onDone });
      }}
    >
      <table className="sla-policy">
        <caption>SLA targets for {service.name}, in minutes</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Acknowledge (minutes)</th>
            <th scope="col">Resolve (minutes)</th>
            <th scope="col">Clock</th>
          </tr>
        </thead>
        <tbody>
          {SEVERITIES.map((sev) => (
            <tr key={sev}>
              <th scope="row">{sev}</th>
              {(['ack', 'resolve'] as const).map((kind) => (
                <td key={kind}>
                  <input
                    type="number"
                    min={1}
                    aria-label={`${sev} ${kind === 'ack' ? 'acknowledge' : 'resolve'} minutes`}
                    value={rows[sev][kind]}
                    onChange={(e) => setRows((r) => ({ ...r, [sev]: { ...r[sev], [kind]: e.target.value } }))}
                  />
                </td>
              ))}
              <td>
                <select
                  aria-label={`${sev} clock`}
                  value={rows[sev].calendar}
                  onChange={(e) => setRows((r) => ({ ...r, [sev]: { ...r[sev], calendar: e.target.value } }))}
                >
                  <option value="">24x7</option>
                  {(calendars.data ?? []).map((c) => (
                    <option key={c.id} value={String(c.id)}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <PolicyPreview service={service} rows={rows} />
      <SaveBar label="Save SLA policy" pending={update.isPending} error={update.error} onCancel={onDone} />
    </form>
  );
}
