/** Edit the incident's title and description (each change becomes a timeline event). */
import { useState } from 'react';
import type { IncidentDetail } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { useUpdateIncident } from '../api/incidents';

export function SummaryEditor({ incident }: { incident: IncidentDetail }) {
  const update = useUpdateIncident(incident.id);
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState(incident.title);
  const [description, setDescription] = useState(incident.description);

  if (!open) {
    return (
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setTitle(incident.title);
          setDescription(incident.description);
          update.reset();
          setOpen(true);
        }}
      >
        Edit title and description
      </button>
    );
  }
  return (
    <form
      className="form summary-editor"
      aria-label="Edit title and description"
      onSubmit={(e) => {
        e.preventDefault();
        const body: { title?: string; description?: string } = {};
        if (title.trim() !== incident.title) body.title = title.trim();
        if (description.trim() !== incident.description) body.description = description.trim();
        if (Object.keys(body).length === 0) return setOpen(false);
        update.mutate({ ...body, version: incident.version }, { onSuccess: () => setOpen(false) });
      }}
    >
      <label htmlFor="edit-title">Title</label>
      <input id="edit-title" required value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="edit-description">Description</label>
      <textarea id="edit-description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
      <ActionResult error={update.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save title and description'}
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={update.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
