/** The weekly hours editor: per weekday, any number of [start, end) intervals (split days), each removable. */
import { WEEKDAY_NAMES, WEEKDAYS, type Interval, type Week, type Weekday } from './hours';

export function HoursEditor({
  week,
  problems,
  onChange,
  idPrefix,
}: {
  week: Week;
  problems: Partial<Record<Weekday, string>>;
  onChange: (week: Week) => void;
  idPrefix: string;
}) {
  const setDay = (day: Weekday, intervals: Interval[]) => onChange({ ...week, [day]: intervals });
  return (
    <fieldset className="hours-editor">
      <legend>Weekly hours (local time in the calendar's zone)</legend>
      {WEEKDAYS.map((day) => {
        const intervals = week[day];
        const problemId = `${idPrefix}-${day}-problem`;
        return (
          <div key={day} className="hours-day" role="group" aria-label={WEEKDAY_NAMES[day]}>
            <span className="hours-day-name">{WEEKDAY_NAMES[day]}</span>
            <div className="hours-intervals">
              {intervals.length === 0 && <span className="muted">Closed</span>}
              {intervals.map(([start, end], i) => (
                <span key={i} className="hours-interval">
                  <input
                    type="text"
                    inputMode="numeric"
                    pattern="([01][0-9]|2[0-3]):[0-5][0-9]"
                    size={5}
                    aria-label={`${WEEKDAY_NAMES[day]} interval ${i + 1} start (HH:MM)`}
                    value={start}
                    aria-invalid={problems[day] ? true : undefined}
                    aria-describedby={problems[day] ? problemId : undefined}
                    onChange={(e) => setDay(day, intervals.map((iv, k) => (k === i ? [e.target.value, iv[1]] : iv)))}
                  />
                  <span aria-hidden="true">–</span>
                  <input
                    type="text"
                    inputMode="numeric"
                    pattern="([01][0-9]|2[0-3]):[0-5][0-9]|24:00"
                    size={5}
                    aria-label={`${WEEKDAY_NAMES[day]} interval ${i + 1} end (HH:MM, 24:00 for midnight)`}
                    value={end}
                    aria-invalid={problems[day] ? true : undefined}
                    aria-describedby={problems[day] ? problemId : undefined}
                    onChange={(e) => setDay(day, intervals.map((iv, k) => (k === i ? [iv[0], e.target.value] : iv)))}
                  />
                  <button
                    type="button"
                    className="link-button"
                    aria-label={`Remove ${WEEKDAY_NAMES[day]} interval ${i + 1}`}
                    onClick={() => setDay(day, intervals.filter((_, k) => k !== i))}
                  >
                    Remove
                  </button>
                </span>
              ))}
              <button
                type="button"
                className="link-button"
                aria-label={`Add hours on ${WEEKDAY_NAMES[day]}`}
                onClick={() => setDay(day, [...intervals, intervals.length ? ['13:00', '17:00'] : ['09:00', '17:00']])}
              >
                Add hours
              </button>
              {problems[day] && (
                <p id={problemId} className="field-error">
                  {problems[day]}
                </p>
              )}
            </div>
          </div>
        );
      })}
    </fieldset>
  );
}
