/** A button that fires a handful of synthetic alerts, to rehearse the intake. */
import { ActionResult } from '../../../components/States';
import { useAlertDrill } from '../api/drill';

export function AlertDrill() {
  const drill = useAlertDrill();
  const result = drill.data;
  return (
    <div className="drill">
      <button type="button" disabled={drill.isPending} onClick={() => drill.mutate(5)}>
        {drill.isPending ? 'Sending alerts…' : 'Run alert drill (5 alerts)'}
      </button>
      <ActionResult
        error={drill.error}
        success={
          result &&
          `Drill sent ${result.alerts.length} alerts: ${result.created_incident_ids.length} new incident(s), ${result.attached_incident_ids.length} attached to open ones.`
        }
      />
    </div>
  );
}
