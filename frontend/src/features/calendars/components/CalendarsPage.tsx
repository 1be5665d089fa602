/** Admins keep the business-hours calendars that SLA policies may run their clocks in. */
import { useState } from 'react';
import { Link } from 'react-router';
import type { Calendar } from '../../../api/types';
import { ActionResult, EmptyState, ErrorState, Loading } from '../../../components/States';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import { pluralize } from '../../../lib/format';
import { useAuth } from '../../auth';
import { useCalendars, useDeleteCalendar } from '../api/calendars';
import { CalendarForm } from './CalendarForm';
import { weekSummary } from './hours';
import './Calendars.css';
import { PageHead } from '../../../components/PageHead';

function CalendarCard({ calendar, canEdit }: { calendar: Calendar; canEdit: boolean }) {
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-delete'>('view');
  const remove = useDeleteCalendar(calendar.id);
  const headingId = `calendar-${calendar.id}-name`;
  return (
    <li className="card calendar" aria-labelledby={headingId}>
      <h2 id={headingId} className="calendar-name">
        {calendar.name}
      </h2>
      <dl className="calendar-facts">
        <dt>Time zone</dt>
        <dd>{calendar.timezone}</dd>
        <dt>Hours</dt>
        <dd>{weekSummary(calendar.hours)}</dd>
        <dt>Holidays</dt>
        <dd>{calendar.holidays.length ? calendar.holidays.join(', ') : 'None'}</dd>
        <dt>Used by</dt>
        <dd>{calendar.used_by.length ? calendar.used_by.join(', ') : 'No SLA policy yet'}</dd>
      </dl>
      {canEdit && mode === 'view' && (
        <div className="actions">
          <button type="button" onClick={() => setMode('edit')}>
            Edit
          </button>
          <button type="button" onClick={() => setMode('confirm-delete')}>
            Delete
          </button>
        </div>
      )}
      {mode === 'edit' && <CalendarForm calendar={calendar} onDone={() => setMode('view')} />}
      {mode === 'confirm-delete' && (
        <div className="notice" role="alert">
          <p>Delete {calendar.name}? Open incidents keep their due times.</p>
          <ActionResult error={remove.error} />
          <div className="actions">
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {remove.isPending ? 'Deleting…' : 'Delete calendar'}
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Keep it
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

export default function CalendarsPage() {
  useDocumentTitle('Calendars');
  const auth = useAuth();
  const calendars = useCalendars();
  const [adding, setAdding] = useState(false);
  const canEdit = auth.canAdminister;
  return (
    <div className="calendars-page">
      <PageHead title="Business-hours calendars" add={canEdit ? { label: 'Add a calendar', open: adding, onToggle: setAdding } : undefined} />
      <p className="muted">
        An SLA policy's severity may count its clocks only in a calendar's hours (set it per severity on the{' '}
        <Link to="/runbooks">services page</Link>); without one the clock runs around the clock. Changes apply to incidents
        opened afterwards.
      </p>
      {adding && <CalendarForm onDone={() => setAdding(false)} />}
      {calendars.isPending && <Loading what="calendars" />}
      {calendars.error && <ErrorState error={calendars.error} retry={() => void calendars.refetch()} />}
      {calendars.data && calendars.data.length === 0 && <EmptyState>No calendars yet: every SLA clock runs 24x7.</EmptyState>}
      {calendars.data && calendars.data.length > 0 && (
        <>
          <p className="muted">{pluralize(calendars.data.length, 'calendar')}</p>
          <ul className="calendars">
            {calendars.data.map((c) => (
              <CalendarCard key={c.id} calendar={c} canEdit={canEdit} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
