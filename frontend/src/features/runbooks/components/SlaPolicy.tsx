/** A service's SLA policy as a table (ack and resolve targets per severity), editable by admins. */
import { useState } from 'react';
import { SEVERITIES, type Service, type SlaPolicy } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { formatDuration } from '../../../lib/format';
import { useUpdateService } from '../api/runbooks';

type Targets = { ack_minutes: number; resolve_minutes: number };

function target(policy: SlaPolicy, severity: string): Targets | undefined {
  return (policy as Record<string, Targets | undefined>)[severity];
}

export function SlaPolicyTable({ service }: { service: Service }) {
  return (
    <table className="sla-policy">
      <caption>SLA policy for {service.name}</caption>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Acknowledge within</th>
          <th scope="col">Resolve within</th>
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
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function SlaPolicyEditor({ service, onDone }: { service: Service; onDone: () => void }) {
  const update = useUpdateService();
  const [rows, setRows] = useState<Record<string, { ack: string; resolve: string }>>(() =>
    Object.fromEntries(
      SEVERITIES.map((sev) => {
        const t = target(service.sla_policy, sev);
        return [sev, { ack: t ? String(t.ack_minutes) : '', resolve: t ? String(t.resolve_minutes) : '' }];
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
            { ack_minutes: Number(rows[sev].ack), resolve_minutes: Number(rows[sev].resolve) },
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
            </tr>
          ))}
        </tbody>
      </table>
      <ActionResult error={update.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save SLA policy'}
        </button>
        <button type="button" onClick={onDone} disabled={update.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
