/**
 * The weekly hours editor's logic, apart from the screen: a week of [start, end) "HH:MM"
 * intervals per weekday, checked as the server checks them (so the form says what is wrong
 * before saving), and turned into the request's `hours` object.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export type Interval = [string, string];
export type Week = Record<Weekday, Interval[]>;

const HHMM = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export function minutesOf(text: string): number | null {
  if (!HHMM.test(text)) return null;
  const [h, m] = text.split(':').map(Number);
  return h * 60 + m;
}

/** Office hours: Monday to Friday, 09:00-17:00. */
export function officeWeek(): Week {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, d === 'sat' || d === 'sun' ? [] : [['09:00', '17:00']]])) as Week;
}

export function weekFrom(hours: Record<string, string[][]>): Week {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, (hours[d] ?? []).map(([s, e]) => [s, e] as Interval)])) as Week;
}

/** The problem with one weekday's intervals, in words, or null. */
export function dayProblem(intervals: Interval[]): string | null {
  const spans: [number, number][] = [];
  for (const [start, end] of intervals) {
    const s = minutesOf(start);
    const e = minutesOf(end);
    if (s === null || e === null) return 'Times are HH:MM, from 00:00 to 24:00.';
    if (e <= s) return `${start}–${end}: the end must be later than the start.`;
    spans.push([s, e]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) return 'Two intervals overlap.';
  }
  return null;
}

/** Every weekday's problem, and the week's own (no hours at all). */
export function weekProblems(week: Week): { days: Partial<Record<Weekday, string>>; week: string | null } {
  const days: Partial<Record<Weekday, string>> = {};
  for (const d of WEEKDAYS) {
    const problem = dayProblem(week[d]);
    if (problem) days[d] = problem;
  }
  const any = WEEKDAYS.some((d) => week[d].length > 0);
  return { days, week: any ? null : 'A calendar needs working hours on at least one day.' };
}

/** The request's `hours`: weekdays with hours only, each day's intervals in order. */
export function hoursBody(week: Week): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  for (const d of WEEKDAYS) {
    if (week[d].length) out[d] = [...week[d]].sort((a, b) => (minutesOf(a[0]) ?? 0) - (minutesOf(b[0]) ?? 0)).map(([s, e]) => [s, e]);
  }
  return out;
}

/** "Mon–Fri 09:00–17:00" style summary: days with the same hours grouped. */
export function weekSummary(hours: Record<string, string[][]>): string {
  const week = weekFrom(hours);
  const parts: string[] = [];
  let i = 0;
  while (i < WEEKDAYS.length) {
    const text = week[WEEKDAYS[i]].map(([s, e]) => `${s}–${e}`).join(', ');
    let j = i;
    while (j + 1 < WEEKDAYS.length && week[WEEKDAYS[j + 1]].map(([s, e]) => `${s}–${e}`).join(', ') === text) j++;
    if (text) {
      const name = (d: Weekday) => WEEKDAY_NAMES[d].slice(0, 3);
      parts.push(`${i === j ? name(WEEKDAYS[i]) : `${name(WEEKDAYS[i])}–${name(WEEKDAYS[j])}`} ${text}`);
    }
    i = j + 1;
  }
  return parts.join('; ') || 'No hours';
}

/** Holidays typed one per line (or separated by commas): the dates, and the first bad one. */
export function parseHolidays(text: string): { dates: string[]; bad: string | null } {
  const items = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const ok = /^\d{4}-\d{2}-\d{2}$/.test(item) && !Number.isNaN(Date.parse(`${item}T00:00:00Z`)) &&
      new Date(`${item}T00:00:00Z`).toISOString().startsWith(item);
    if (!ok) return { dates: [], bad: item };
  }
  return { dates: [...new Set(items)].sort(), bad: null };
}

/** The IANA zones this browser knows (the server checks against its own list too). */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}
