/** Triage edits: severity and owner, each saved as its own timeline event. */
import { useState } from 'react';
import { SEVERITIES, type IncidentDetail, type Severity } from '../../../api/types';
import { useReloadIncident } from '../../../api/queryKeys';
import { ActionResult } from '../../../components/States';
import { useUsers } from '../../auth';
import { useUpdateIncident } from '../api/incidents';

export function TriagePanel({ incident }: { incident: IncidentDetail }) {
  const users = useUsers();
  const update = useUpdateIncident(incident.id);
  const reload = useReloadIncident(incident.id);
  const [severity, setSeverity] = useState<Severity>(incident.severity);
  const [owner, setOwner] = useState(incident.assignee_id ? String(incident.assignee_id) : '');
  const [synced, setSynced] = useState({ severity: incident.severity, owner: incident.assignee_id });

  if (synced.severity !== incident.severity || synced.owner !== incident.assignee_id) {
    setSynced({ severity: incident.severity, owner: incident.assignee_id });
    setSeverity(incident.severity);
    setOwner(incident.assignee_id ? String(incident.assignee_id) : '');
  }

  const ownerId = owner ? Number(owner) : null;
  const changed = severity !== incident.severity || ownerId !== incident.assignee_id;

  return (
    <form
      className="triage"
      aria-label="Triage"
      onSubmit={(e) => {
        e.preventDefault();
        const changes: { severity?: Severity; assignee_id?: number | null } = {};
        if (severity !== incident.severity) changes.severity = severity;
        if (ownerId !== incident.assignee_id) changes.assignee_id = ownerId;
        update.mutate({ changes, version: incident.version });
      }}
    >
      <div className="field">
        <label htmlFor="triage-severity">Change severity</label>
        <select id="triage-severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="triage-owner">Change owner</label>
        <select id="triage-owner" value={owner} onChange={(e) => setOwner(e.target.value)}>
          <option value="">Unassigned</option>
          {users.data
            ?.filter((u) => u.role !== 'viewer' || u.id === incident.assignee_id)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
        </select>
      </div>
      <button type="submit" disabled={!changed || update.isPending}>
        {update.isPending ? 'Saving…' : 'Update triage'}
      </button>
      <ActionResult
        error={update.error}
        success={update.isSuccess && !changed && 'Triage saved.'}
        onReload={() => {
          update.reset();
          reload();
        }}
      />
    </form>
  );
}
