/** Adding or changing a business-hours calendar: name, time zone, weekly hours, holidays. */
import { useMemo, useState } from 'react';
import type { Calendar } from '../../../api/types';
import { ActionResult } from '../../../components/States';
import { useCreateCalendar, useUpdateCalendar } from '../api/calendars';
import { HoursEditor } from './HoursEditor';
import { hoursBody, officeWeek, parseHolidays, timeZones, weekFrom, weekProblems, type Week } from './hours';

export function CalendarForm({ calendar, onDone }: { calendar?: Calendar; onDone: () => void }) {
  const create = useCreateCalendar();
  const update = useUpdateCalendar(calendar?.id ?? -1);
  const mutation = calendar ? update : create;
  const [name, setName] = useState(calendar?.name ?? '');
  const [zone, setZone] = useState(calendar?.timezone ?? 'Europe/Berlin');
  const [week, setWeek] = useState<Week>(() => (calendar ? weekFrom(calendar.hours) : officeWeek()));
  const [holidays, setHolidays] = useState((calendar?.holidays ?? []).join('\n'));
  const [tried, setTried] = useState(false);
  const zones = useMemo(() => timeZones(), []);
  const problems = weekProblems(week);
  const parsed = parseHolidays(holidays);
  const prefix = calendar ? `calendar-${calendar.id}` : 'new-calendar';
  const invalid = Object.keys(problems.days).length > 0 || problems.week !== null || parsed.bad !== null;

  return (
    <form
      className="card form calendar-form"
      aria-label={calendar ? `Edit calendar ${calendar.name}` : 'Add a calendar'}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (invalid || !name.trim()) return;
        const body = { name: name.trim(), timezone: zone, hours: hoursBody(week), holidays: parsed.dates };
        if (calendar) update.mutate(body, { onSuccess: onDone });
        else create.mutate(body, { onSuccess: onDone });
      }}
    >
      <h2 className="form-title">{calendar ? `Edit ${calendar.name}` : 'Add a calendar'}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input
            id={`${prefix}-name`}
            required
            maxLength={120}
            value={name}
            autoComplete="off"
            aria-invalid={tried && !name.trim() ? true : undefined}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-zone`}>Time zone</label>
          <select id={`${prefix}-zone`} value={zone} onChange={(e) => setZone(e.target.value)}>
            {(zones.includes(zone) ? zones : [zone, ...zones]).map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </div>
      </div>
      <HoursEditor week={week} problems={problems.days} onChange={setWeek} idPrefix={prefix} />
      {problems.week && <p className="field-error">{problems.week}</p>}
      <div className="field">
        <label htmlFor={`${prefix}-holidays`}>Holidays (one date a line, YYYY-MM-DD)</label>
        <textarea
          id={`${prefix}-holidays`}
          rows={3}
          value={holidays}
          aria-invalid={parsed.bad ? true : undefined}
          aria-describedby={parsed.bad ? `${prefix}-holidays-problem` : undefined}
          onChange={(e) => setHolidays(e.target.value)}
        />
        {parsed.bad && (
          <p id={`${prefix}-holidays-problem`} className="field-error">
            “{parsed.bad}” is not a date as YYYY-MM-DD.
          </p>
        )}
      </div>
      <ActionResult error={mutation.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : calendar ? 'Save calendar' : 'Add calendar'}
        </button>
        <button type="button" onClick={onDone} disabled={mutation.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
