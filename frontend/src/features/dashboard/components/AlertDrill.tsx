/** A button that fires a handful of synthetic alerts, to rehearse the intake. */
import { useState } from 'react';
import type { components } from '../../../api/schema';
import { ActionResult } from '../../../components/States';
import { pluralize } from '../../../lib/format';
import { useAlertDrill } from '../api/drill';

type DrillResult = components['schemas']['GenerateResult'];

/**
 * What a drill did, in words: how many alerts, the incidents they opened or joined, an alert
 * the monitoring re-sent counted ("received 2 times") rather than listed again, and, from the
 * second drill on, how many have run, so a repeat never reads as the same message again.
 */
export function drillMessage(result: DrillResult, runs: number): string {
  const created = result.created_incident_ids.length;
  const attached = result.attached_incident_ids.length;
  const outcomes = [created > 0 && pluralize(created, 'new incident')];
  if (attached > 0) outcomes.push(`${pluralize(attached, 'open incident')} updated`);
  const what = outcomes.filter(Boolean).join(', ') || 'no incident changed';
  const seen = new Map<string, { summary: string; times: number }>();
  for (const a of result.alerts) {
    const entry = seen.get(a.fingerprint) ?? { summary: a.summary, times: 0 };
    entry.times += 1;
    seen.set(a.fingerprint, entry);
  }
  const repeats = [...seen.values()].filter((e) => e.times > 1).map((e) => `"${e.summary}" received ${e.times} times.`);
  const run = runs > 1 ? ` (drill ${runs} of this session)` : '';
  return [`Drill sent ${pluralize(result.alerts.length, 'alert')}${run}: ${what}.`, ...repeats].join(' ');
}

export function AlertDrill() {
  const drill = useAlertDrill();
  const [runs, setRuns] = useState(0);
  const result = drill.data;
  return (
    <div className="drill">
      <button
        type="button"
        disabled={drill.isPending}
        onClick={() => {
          setRuns((n) => n + 1);
          drill.mutate(5);
        }}
      >
        {drill.isPending ? 'Sending alerts…' : 'Run alert drill (5 alerts)'}
      </button>
      <ActionResult error={drill.error} success={result && drillMessage(result, runs)} />
    </div>
  );
}
