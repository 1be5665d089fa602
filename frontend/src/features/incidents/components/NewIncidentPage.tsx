/** Declare an incident: Title, Description, Customer impact (optional), Severity, Service, Owner. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { SEVERITIES, type Severity } from '../../../api/types';
import { ActionResult, ErrorState } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useAuth, useUsers } from '../../auth';
import { useServices } from '../../runbooks';
import { useCreateIncident } from '../api/incidents';

export function NewIncidentPage() {
  useDocumentTitle('New incident');
  const auth = useAuth();
  const navigate = useNavigate();
  const services = useServices();
  const users = useUsers();
  const create = useCreateIncident();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [impact, setImpact] = useState('');
  const [severity, setSeverity] = useState<Severity>('SEV3');
  const [serviceId, setServiceId] = useState('');
  const [ownerId, setOwnerId] = useState('');

  if (!auth.canWorkIncidents) {
    return <ErrorState error={new Error('Your role is read-only: you cannot declare incidents.')} />;
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        title: title.trim(),
        description: description.trim(),
        impact: impact.trim(),
        severity,
        service_id: Number(serviceId),
        assignee_id: ownerId ? Number(ownerId) : null,
      },
      { onSuccess: (incident) => navigate(`/incidents/${incident.id}`) },
    );
  };

  return (
    <section aria-labelledby="new-title" className="narrow">
      <h1 id="new-title">New incident</h1>
      <form className="card form" onSubmit={submit}>
        <label htmlFor="ni-title">Title</label>
        <input id="ni-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} autoFocus />
        <label htmlFor="ni-description">Description</label>
        <textarea
          id="ni-description"
          rows={4}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="What is broken and since when"
        />
        <label htmlFor="ni-impact">Customer impact (optional)</label>
        <textarea
          id="ni-impact"
          rows={2}
          value={impact}
          onChange={(e) => setImpact(e.target.value)}
          aria-describedby="ni-impact-hint"
          placeholder="e.g. EU shoppers cannot complete checkout"
        />
        <small id="ni-impact-hint" className="muted">
          Who is affected and how, in plain words. You can add or change it later.
        </small>
        <div className="row">
          <div className="field">
            <label htmlFor="ni-severity">Severity</label>
            <select id="ni-severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ni-service">Service</label>
            <select id="ni-service" required value={serviceId} onChange={(e) => setServiceId(e.target.value)}>
              <option value="" disabled>
                {services.isPending ? 'Loading services…' : 'Choose a service'}
              </option>
              {services.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ni-owner">Owner</label>
            <select id="ni-owner" value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
              <option value="">Unassigned</option>
              {users.data
                ?.filter((u) => u.role !== 'viewer')
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name} ({u.username})
                  </option>
                ))}
            </select>
          </div>
        </div>
        <ActionResult error={create.error ?? services.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create incident'}
          </button>
          <Link to="/">Cancel</Link>
        </div>
      </form>
    </section>
  );
}
