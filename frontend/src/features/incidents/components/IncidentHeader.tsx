/**
 * The incident's header, which stays put while the page scrolls (and comes first on a phone):
 * its reference with a copy-link button, title, severity, status, owner, the live SLA (ticking,
 * its state in words) and the NEXT STEP as the main button (moves.ts). Once Resolved, the
 * button is Close and the header says how much of the close checklist is left.
 */
import { useState } from 'react';
import { useHref } from 'react-router';
import type { IncidentDetail } from '../../../api/types';
import { useReloadIncident } from '../../../api/queryKeys';
import { SeverityBadge, SlaCell, StatusBadge } from '../../../components/Badges';
import { ActionResult } from '../../../components/States';
import { incidentRef } from '../../../lib/format';
import { nextStep } from './moves';
import { useMove } from './useMove';
import './IncidentHeader.css';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Without the Clipboard API (an older browser, a page not served securely): a selected field.
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  document.body.appendChild(field);
  field.select();
  const ok = document.execCommand('copy');
  field.remove();
  if (!ok) throw new Error('copy refused');
}

function CopyLink({ id }: { id: number }) {
  const href = useHref(`/incidents/${id}`);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const url = new URL(href, window.location.origin).href;
  return (
    <>
      <button
        type="button"
        className="copy-link"
        aria-label={`Copy link to ${incidentRef(id)}`}
        onClick={() =>
          copyText(url).then(
            () => setSaid({ ok: true, text: 'Link copied' }),
            () => setSaid({ ok: false, text: `Could not copy: the link is ${url}` }),
          )
        }
      >
        Copy link
      </button>
      <span className={said && !said.ok ? 'copy-said error-text' : 'copy-said'} role="status">
        {said?.text}
      </span>
    </>
  );
}

export function IncidentHeader({ incident, canAct }: { incident: IncidentDetail; canAct: boolean }) {
  const move = useMove(incident);
  const reload = useReloadIncident(incident.id);
  const next = nextStep(incident);
  const left = incident.close_blockers.length;

  return (
    <header className="incident-head" aria-labelledby="incident-title">
      <div className="head-line">
        <span className="inc-ref">{incidentRef(incident.id)}</span>
        <CopyLink id={incident.id} />
      </div>
      <h1 id="incident-title">
        <span className="visually-hidden">{incidentRef(incident.id)} </span>
        {incident.title}
      </h1>
      <div className="head-facts">
        <SeverityBadge severity={incident.severity} />
        <StatusBadge status={incident.status} />
        <span className="owner">
          <span className="muted">Owner</span> {incident.assignee_name ?? 'Unassigned'}
        </span>
        <span className="head-sla">
          <span className="visually-hidden">SLA: </span>
          <SlaCell sla={incident.sla} />
        </span>
      </div>
      {canAct && next && (
        <div className="head-next">
          <button
            type="button"
            className="primary next-step"
            disabled={move.isPending}
            onClick={() => move.mutate(next.to)}
          >
            {move.isPending ? `Moving to ${next.to}…` : next.label}
          </button>
          {next.to === 'Closed' && left > 0 && (
            <a
              href="#close-checklist"
              className="head-checklist"
              onClick={(e) => {
                e.preventDefault();
                const list = document.getElementById('close-checklist');
                list?.scrollIntoView({ block: 'center' });
                list?.focus({ preventScroll: true });
              }}
            >
              Before closing: {left} {left === 1 ? 'item' : 'items'} left
            </a>
          )}
        </div>
      )}
      <div className="head-msg">
        <ActionResult
          error={move.error}
          success={move.moved && `Moved to ${move.moved}.`}
          onReload={() => {
            move.reset();
            reload();
          }}
        />
      </div>
    </header>
  );
}
