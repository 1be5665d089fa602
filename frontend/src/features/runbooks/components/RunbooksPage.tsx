/** Every service with its SLA policy and runbooks; admins create and edit them here. */
import { useState } from 'react';
import type { Runbook, Service } from '../../../api/types';
import { EmptyState, ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useAuth } from '../../auth';
import { useRunbooks, useServices } from '../api/runbooks';
import { NewServiceForm } from './NewServiceForm';
import { StepFlags } from './StepFlags';
import { RunbookEditor } from './RunbookEditor';
import { SlaPolicyEditor, SlaPolicyTable } from './SlaPolicy';
import { EscalationPolicyEditor, EscalationPolicyView } from './EscalationPolicy';
import { FollowUpPolicyEditor, FollowUpPolicyView } from './FollowUpPolicy';

type Editing = { kind: 'runbook'; id: number | 'new' } | { kind: 'sla' } | { kind: 'escalation' } | { kind: 'followups' } | null;

function ServiceSection({ service, runbooks, isAdmin }: { service: Service; runbooks: Runbook[]; isAdmin: boolean }) {
  const [editing, setEditing] = useState<Editing>(null);
  const done = () => setEditing(null);
  return (
    <section className="card service" aria-labelledby={`svc-${service.id}`}>
      <div className="page-head">
        <h2 id={`svc-${service.id}`}>{service.name}</h2>
        <span className="muted">Owner team: {service.owner_team}</span>
      </div>
      {editing?.kind === 'sla' ? (
        <SlaPolicyEditor service={service} onDone={done} />
      ) : (
        <>
          <SlaPolicyTable service={service} />
          {isAdmin && (
            <button type="button" onClick={() => setEditing({ kind: 'sla' })} aria-label={`Edit SLA policy for ${service.name}`}>
              Edit SLA policy
            </button>
          )}
        </>
      )}
      {editing?.kind === 'escalation' ? (
        <EscalationPolicyEditor service={service} onDone={done} />
      ) : (
        <>
          <EscalationPolicyView service={service} isAdmin={isAdmin} />
          {isAdmin && (
            <button type="button" onClick={() => setEditing({ kind: 'escalation' })} aria-label={`Edit escalation policy for ${service.name}`}>
              Edit escalation policy
            </button>
          )}
        </>
      )}
      {editing?.kind === 'followups' ? (
        <FollowUpPolicyEditor service={service} onDone={done} />
      ) : (
        <>
          <FollowUpPolicyView service={service} />
          {isAdmin && (
            <button type="button" onClick={() => setEditing({ kind: 'followups' })}>
              Edit follow-ups required to close<span className="visually-hidden"> {service.name}</span>
            </button>
          )}
        </>
      )}
      <h3>Runbooks</h3>
      {runbooks.length === 0 && <EmptyState>No runbooks for {service.name} yet.</EmptyState>}
      {runbooks.map((rb) =>
        editing?.kind === 'runbook' && editing.id === rb.id ? (
          <RunbookEditor key={rb.id} serviceId={service.id} serviceName={service.name} runbook={rb} onDone={done} />
        ) : (
          <div key={rb.id} className="runbook">
            <div className="page-head">
              <h4>{rb.title}</h4>
              {isAdmin && (
                <button type="button" onClick={() => setEditing({ kind: 'runbook', id: rb.id })} aria-label={`Edit runbook ${rb.title}`}>
                  Edit
                </button>
              )}
            </div>
            <ol className="steps">
              {[...rb.steps]
                .sort((a, b) => a.index - b.index)
                .map((s) => (
                  <li key={s.index} className="step">
                    <div>
                      <strong>{s.title}</strong>
                      <StepFlags step={s} />
                      {s.detail && <p className="muted">{s.detail}</p>}
                    </div>
                  </li>
                ))}
            </ol>
          </div>
        ),
      )}
      {isAdmin &&
        (editing?.kind === 'runbook' && editing.id === 'new' ? (
          <RunbookEditor serviceId={service.id} serviceName={service.name} onDone={done} />
        ) : (
          <button type="button" onClick={() => setEditing({ kind: 'runbook', id: 'new' })} aria-label={`New runbook for ${service.name}`}>
            New runbook
          </button>
        ))}
    </section>
  );
}

export default function RunbooksPage() {
  useDocumentTitle('Runbooks');
  const auth = useAuth();
  const services = useServices();
  const runbooks = useRunbooks();
  const [addingService, setAddingService] = useState(false);

  if (services.isPending || runbooks.isPending) return <Loading what="runbooks" />;
  if (services.isError) return <ErrorState error={services.error} retry={() => void services.refetch()} />;
  if (runbooks.isError) return <ErrorState error={runbooks.error} retry={() => void runbooks.refetch()} />;

  return (
    <section aria-labelledby="rb-title">
      <div className="page-head">
        <h1 id="rb-title">Runbooks and SLA policies</h1>
        {!auth.canAdminister && <span className="muted">Read-only: only admins edit runbooks and SLA policies.</span>}
        {auth.canAdminister && !addingService && (
          <button type="button" onClick={() => setAddingService(true)}>
            New service
          </button>
        )}
      </div>
      {addingService && <NewServiceForm onDone={() => setAddingService(false)} />}
      {services.data.length === 0 && <EmptyState>No services are defined yet.</EmptyState>}
      <div className="services">
      {services.data.map((svc) => (
        <ServiceSection
          key={svc.id}
          service={svc}
          runbooks={runbooks.data.filter((rb) => rb.service_id === svc.id)}
          isAdmin={auth.canAdminister}
        />
      ))}
      </div>
    </section>
  );
}
