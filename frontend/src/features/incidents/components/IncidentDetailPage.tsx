/** One incident: its fields, customer impact, SLA, workflow, triage, timeline, similar past incidents, runbooks, RCA and report. */
import { useRef } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorState, Loading } from '../../../components/States';
import { FullTime } from '../../../components/Time';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { useHotkeys } from '../../../components/useHotkeys';
import { incidentRef } from '../../../lib/format';
import { useAuth } from '../../auth';
import { FollowUpsCard } from '../../followups';
import { RcaForm } from '../../rca';
import { SimilarIncidentsCard } from '../../similar';
import { useIncident } from '../api/incidents';
import { AlertsPanel } from './AlertsPanel';
import { ExportReportButton } from './ExportReportButton';
import { ImpactBlock } from './ImpactBlock';
import { IncidentHeader } from './IncidentHeader';
import { RunbookPanel } from './RunbookPanel';
import { SlaPanel } from './SlaPanel';
import { SummaryEditor } from './SummaryEditor';
import { CommentBox, Timeline } from './Timeline';
import { TransitionBar } from './TransitionBar';
import { TriagePanel } from './TriagePanel';

export function IncidentDetailPage() {
  const id = Number(useParams().id);
  const auth = useAuth();
  const query = useIncident(id);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const incident = query.data;
  useDocumentTitle(incident ? `${incidentRef(incident.id)} · ${incident.severity} · ${incident.status}` : incidentRef(id));
  useHotkeys({
    c: () => {
      commentRef.current?.focus();
    },
  });

  if (!Number.isInteger(id) || id <= 0) return <ErrorState error={new Error('That is not an incident number.')} />;
  if (query.isPending) return <Loading what={incidentRef(id)} />;
  // A failed background refresh keeps the incident on screen (with what is being worked on:
  // a confirmation, a half-written note) and says so above it; only a first load that
  // failed replaces the page.
  if (!incident) {
    return (
      <>
        <ErrorState error={query.error} retry={() => void query.refetch()} />
        <Link to="/">Back to the dashboard</Link>
      </>
    );
  }
  const canAct = auth.canWorkIncidents;
  const closed = incident.status === 'Closed';

  return (
    <article className="incident" aria-labelledby="incident-title">
      <p className="crumbs">
        <Link to="/">Incidents</Link> / {incidentRef(incident.id)}
      </p>
      {query.isError && (
        <ErrorState
          lead="Could not refresh this incident; it is shown as last loaded."
          error={query.error}
          retry={() => void query.refetch()}
        />
      )}
      <IncidentHeader incident={incident} canAct={canAct} />

      <div className="incident-grid">
        <div className="col-main">
          <section className="card" aria-labelledby="workflow-title">
            <h2 id="workflow-title">Status</h2>
            <TransitionBar incident={incident} canAct={canAct} />
          </section>

          <section className="card" aria-labelledby="details-title">
            <h2 id="details-title">Details</h2>
            <p className="description">{incident.description || <span className="muted">No description.</span>}</p>
            <ImpactBlock incident={incident} canEdit={canAct && !closed} />
            {canAct && !closed && <SummaryEditor incident={incident} />}
            <dl className="facts">
              <dt>Service</dt>
              <dd>{incident.service_name}</dd>
              <dt>Owner</dt>
              <dd>{incident.assignee_name ?? 'Unassigned'}</dd>
              <dt>Created</dt>
              <dd><FullTime iso={incident.created_at} /></dd>
              <dt>Acknowledged</dt>
              <dd><FullTime iso={incident.acknowledged_at} /></dd>
              <dt>Mitigated</dt>
              <dd><FullTime iso={incident.mitigated_at} /></dd>
              <dt>Resolved</dt>
              <dd><FullTime iso={incident.resolved_at} /></dd>
              <dt>Closed</dt>
              <dd><FullTime iso={incident.closed_at} /></dd>
              <dt>Version</dt>
              <dd>{incident.version}</dd>
            </dl>
            {canAct && !closed && <TriagePanel incident={incident} />}
          </section>

          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <Timeline events={incident.events} incidentId={incident.id} canStar={canAct} userId={auth.user?.id} />
            {canAct && <CommentBox ref={commentRef} incidentId={incident.id} />}
          </section>

          <SimilarIncidentsCard incidentId={incident.id} />
        </div>

        <div className="col-side">
          <SlaPanel incident={incident} canAct={canAct} />
          <section className="card" aria-labelledby="alerts-title">
            <h2 id="alerts-title">Alerts</h2>
            <AlertsPanel incidentId={incident.id} />
          </section>
          <section className="card" aria-labelledby="runbooks-title">
            <h2 id="runbooks-title">Runbooks for {incident.service_name}</h2>
            <RunbookPanel incident={incident} canAct={canAct} />
          </section>
          <section className="card" aria-labelledby="rca-title">
            <h2 id="rca-title">Post-incident review (RCA)</h2>
            <RcaForm key={incident.id} incident={incident} canAct={canAct} />
          </section>
          <FollowUpsCard incident={incident} canAct={canAct} />
          <section className="card" aria-labelledby="report-title">
            <h2 id="report-title">Post-incident report</h2>
            <ExportReportButton incidentId={incident.id} />
          </section>
        </div>
      </div>
    </article>
  );
}
