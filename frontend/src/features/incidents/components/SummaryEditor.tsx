/**
 * The incident's summary: its title, description and customer impact, edited together (the
 * server's triage text fields; each change becomes its own `field_change` timeline event).
 */
import { useState } from 'react';
import type { IncidentDetail, IncidentUpdate } from '../../../api/types';
import { useReloadIncident } from '../../../api/queryKeys';
import { ActionResult } from '../../../components/States';
import { useUpdateIncident } from '../api/incidents';

const TEXT_FIELDS = ['title', 'description', 'impact'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
type Draft = Record<TextField, string>;

const draftOf = (incident: IncidentDetail): Draft => ({
  title: incident.title,
  description: incident.description,
  impact: incident.impact,
});

export function SummaryEditor({ incident }: { incident: IncidentDetail }) {
  const update = useUpdateIncident(incident.id);
  const reload = useReloadIncident(incident.id);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftOf(incident));
  const set = (field: TextField) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));

  if (!open) {
    return (
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setDraft(draftOf(incident));
          update.reset();
          setOpen(true);
        }}
      >
        Edit summary and impact
      </button>
    );
  }
  return (
    <form
      className="form summary-editor"
      aria-label="Edit summary and impact"
      onSubmit={(e) => {
        e.preventDefault();
        // Only what changed: each field the server sees change is one timeline event.
        const changes: IncidentUpdate = {};
        for (const field of TEXT_FIELDS) {
          if (draft[field].trim() !== incident[field]) changes[field] = draft[field].trim();
        }
        if (Object.keys(changes).length === 0) return setOpen(false);
        update.mutate({ changes, version: incident.version }, { onSuccess: () => setOpen(false) });
      }}
    >
      <label htmlFor="edit-title">Title</label>
      <input id="edit-title" required value={draft.title} onChange={set('title')} />
      <label htmlFor="edit-description">Description</label>
      <textarea id="edit-description" rows={4} value={draft.description} onChange={set('description')} />
      <label htmlFor="edit-impact">Customer impact</label>
      <textarea
        id="edit-impact"
        rows={3}
        value={draft.impact}
        onChange={set('impact')}
        placeholder="Who is affected and how, e.g. EU shoppers cannot check out"
      />
      <ActionResult
        error={update.error}
        onReload={() => {
          update.reset();
          reload();
        }}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save summary'}
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={update.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
