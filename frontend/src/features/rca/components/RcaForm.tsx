/** The RCA template: four fields, saved as a draft any time, all required to close. */
import { useState } from 'react';
import type { IncidentDetail, RcaUpdate } from '../../../api/types';
import { useReloadIncident } from '../../../api/queryKeys';
import { ActionResult } from '../../../components/States';
import { useSaveRca } from '../api/rca';
import { RCA_FIELDS, RCA_FIELD_LABELS, type RcaField } from '../../../api/rcaFields';

const HINTS: Record<RcaField, string> = {
  root_cause: 'The underlying cause, not the symptom.',
  contributing_factors: 'What made it worse or slower to fix.',
  corrective_actions: 'What was done to restore service.',
  prevention_actions: 'Follow-ups that stop it happening again (with owners).',
};

function fromIncident(incident: IncidentDetail): RcaUpdate {
  return {
    root_cause: incident.rca?.root_cause ?? '',
    contributing_factors: incident.rca?.contributing_factors ?? '',
    corrective_actions: incident.rca?.corrective_actions ?? '',
    prevention_actions: incident.rca?.prevention_actions ?? '',
  };
}

export function RcaForm({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const save = useSaveRca(incident.id);
  const reload = useReloadIncident(incident.id);
  const [draft, setDraft] = useState<RcaUpdate>(() => fromIncident(incident));
  const [dirty, setDirty] = useState(false);
  // Someone else saved the RCA (seen through a refetch or the live stream): show theirs unless we are editing.
  const serverRca = fromIncident(incident);
  const [seen, setSeen] = useState(serverRca);
  if (RCA_FIELDS.some((f) => serverRca[f] !== seen[f])) {
    setSeen(serverRca);
    if (!dirty) setDraft(serverRca);
  }
  const readOnly = !canAct || incident.status === 'Closed';
  const missing = RCA_FIELDS.filter((f) => !draft[f].trim());

  return (
    <form
      className="rca"
      aria-label="RCA form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ body: draft, version: incident.version }, { onSuccess: () => setDirty(false) });
      }}
    >
      {RCA_FIELDS.map((field) => {
        const blocked = incident.status === 'Resolved' && incident.close_blockers.includes(field);
        return (
          <div key={field} className="field">
            <label htmlFor={`rca-${field}`}>{RCA_FIELD_LABELS[field]}</label>
            <textarea
              id={`rca-${field}`}
              rows={3}
              readOnly={readOnly}
              aria-describedby={`rca-${field}-hint`}
              aria-invalid={blocked && !draft[field].trim() ? true : undefined}
              value={draft[field]}
              onChange={(e) => {
                setDraft((d) => ({ ...d, [field]: e.target.value }));
                setDirty(true);
              }}
            />
            <small id={`rca-${field}-hint`} className="muted">
              {blocked && <span className="required-note">Required to close. </span>}
              {HINTS[field]}
            </small>
          </div>
        );
      })}
      {!readOnly && (
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          {dirty && <span className="muted">Unsaved changes</span>}
          {!dirty && missing.length > 0 && (
            <span className="muted">Still blank: {missing.map((f) => RCA_FIELD_LABELS[f]).join(', ')}</span>
          )}
        </div>
      )}
      {/* A stale save keeps the draft; reloading brings the incident's new version, which the next save is checked against. */}
      <ActionResult
        error={save.error}
        success={save.isSuccess && !dirty && 'RCA saved.'}
        onReload={() => {
          save.reset();
          reload();
        }}
      />
    </form>
  );
}
