import { dayProblem, hoursBody, officeWeek, parseHolidays, weekFrom, weekProblems, weekSummary } from './hours';

describe('weekly hours', () => {
  it('starts as office hours and sends only the days with hours, in order', () => {
    const week = officeWeek();
    week.mon = [['13:00', '17:00'], ['09:00', '12:00']];
    expect(hoursBody(week)).toEqual({
      mon: [['09:00', '12:00'], ['13:00', '17:00']],
      tue: [['09:00', '17:00']],
      wed: [['09:00', '17:00']],
      thu: [['09:00', '17:00']],
      fri: [['09:00', '17:00']],
    });
  });
  it('says what the server would refuse', () => {
    expect(dayProblem([['9:00', '17:00']])).toMatch(/HH:MM/);
    expect(dayProblem([['17:00', '09:00']])).toMatch(/later than the start/);
    expect(dayProblem([['09:00', '13:00'], ['12:00', '17:00']])).toMatch(/overlap/);
    expect(dayProblem([['09:00', '12:00'], ['12:00', '24:00']])).toBeNull(); // touching is fine
    const empty = weekFrom({});
    expect(weekProblems(empty).week).toMatch(/at least one day/);
    expect(weekProblems(officeWeek())).toEqual({ days: {}, week: null });
  });
  it('summarises a week with days of the same hours grouped', () => {
    expect(weekSummary(hoursBody(officeWeek()))).toBe('Mon–Fri 09:00–17:00');
    expect(weekSummary({ mon: [['09:00', '12:00'], ['13:00', '17:00']], sat: [['10:00', '14:00']] })).toBe(
      'Mon 09:00–12:00, 13:00–17:00; Sat 10:00–14:00',
    );
    expect(weekSummary({})).toBe('No hours');
  });
  it('reads holidays one per line or comma-separated, and names a bad date', () => {
    expect(parseHolidays('2026-12-25\n2026-12-24, 2026-12-25')).toEqual({ dates: ['2026-12-24', '2026-12-25'], bad: null });
    expect(parseHolidays('2026-02-30')).toEqual({ dates: [], bad: '2026-02-30' });
    expect(parseHolidays('25/12/2026').bad).toBe('25/12/2026');
    expect(parseHolidays('  ')).toEqual({ dates: [], bad: null });
  });
});
