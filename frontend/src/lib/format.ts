/** Durations, times and percentages as an on-call engineer wants to read them. */

const UNITS: [string, number][] = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/** At most two units: "1h 20m", "3d 4h", "45s". */
export function formatDuration(totalSeconds: number): string {
  let rest = Math.max(0, Math.round(Math.abs(totalSeconds)));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    } else if (parts.length === 1) {
      break;
    }
  }
  return parts.join(' ');
}

/** A duration that may be missing: "—" instead of a made-up zero. */
export function formatMaybeDuration(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? '—' : formatDuration(seconds);
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toFixed(digits).replace(/\.0+$/, '')}%`;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(zone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${seconds}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      year: 'numeric',
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: seconds ? '2-digit' : undefined,
      hourCycle: 'h23',
      timeZone: zone,
      timeZoneName: 'short',
    });
    formats.set(key, format);
  }
  return format;
}

/** "27 Nov 2026, 15:02 CET": in `zone` (the reader's choice; UTC when not given), always with the zone. */
export function formatAbsolute(iso: string | null | undefined, zone = 'UTC'): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatIn(zone, false).format(d);
}

const calendarDates = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', timeZone: 'UTC' });

/** "05 Dec 2026": a calendar date (`YYYY-MM-DD`, no time of day, so no zone). */
export function formatCalendarDate(day: string | null | undefined): string {
  if (!day) return '—';
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : calendarDates.format(d);
}

/** "27 Nov 2026, 14:02:05 UTC": the unambiguous form, shown on hover beside any zone. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatIn('UTC', true).format(d);
}

/** "12m ago" / "in 5m" / "just now". */
export function formatRelative(iso: string, now: number): string {
  const diff = (now - new Date(iso).getTime()) / 1000;
  if (Math.abs(diff) < 30) return 'just now';
  return diff > 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(diff)}`;
}

/**
 * The incident's reference as people write and say it: "INC-7" (titles, crumbs, the table).
 * Not a key: the incident's React Query cache key is `queryKeys.incident.detail(id)`.
 */
export function incidentRef(id: number): string {
  return `INC-${id}`;
}

/** A count from the API: exact as it is ("1,204"), an estimate to three figures ("about 11,300"). */
export function formatCount(total: number, exact: boolean): string {
  if (exact || total < 1000) return total.toLocaleString('en-US');
  const step = 10 ** (Math.floor(Math.log10(total)) - 2);
  return `about ${(Math.round(total / step) * step).toLocaleString('en-US')}`;
}

/**
 * A count with its noun, singular or plural as the count says: "1 alert", "3 alerts",
 * "1,204 incidents". `plural` for the irregular ones ("1 person", "2 people").
 */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

/** A wait the server gave in seconds, said in whole minutes: "1 minute", "5 minutes". */
export function formatWait(seconds: number): string {
  return pluralize(Math.max(1, Math.ceil(seconds / 60)), 'minute');
}
