/**
 * The one way the console shows a time: in the reader's chosen zone (Preferences; the
 * browser's by default), with the UTC time on hover, as an absolute time, a relative one
 * ("12m ago") or both.
 */
import { formatAbsolute, formatCalendarDate, formatRelative, formatUtc } from '../lib/format';
import { useTimeZone } from '../lib/preferences';
import { useNow } from './useNow';

type Show = 'absolute' | 'relative' | 'full';

export function Time({ iso, show = 'absolute' }: { iso: string | null | undefined; show?: Show }) {
  const zone = useTimeZone();
  const now = useNow(show === 'absolute' ? 60_000 : 15_000);
  if (!iso) return <span className="muted">—</span>;
  const absolute = formatAbsolute(iso, zone);
  const utc = formatUtc(iso);
  return (
    <time dateTime={iso} title={utc} className="time">
      {show === 'relative' ? (
        <>
          {formatRelative(iso, now)}
          <span className="visually-hidden"> ({absolute})</span>
        </>
      ) : (
        absolute
      )}
      {show === 'full' && <span className="muted"> ({formatRelative(iso, now)})</span>}
    </time>
  );
}

/** "12m ago", the zoned time for screen readers, UTC on hover. */
export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  return <Time iso={iso} show="relative" />;
}

/** "27 Nov 2026, 15:02 CET", UTC on hover. */
export function AbsoluteTime({ iso }: { iso: string | null | undefined }) {
  return <Time iso={iso} show="absolute" />;
}

/** Both at once, for detail panels: "27 Nov 2026, 15:02 CET (12m ago)". */
export function FullTime({ iso }: { iso: string | null | undefined }) {
  return <Time iso={iso} show="full" />;
}

/** A calendar date such as a follow-up's due date ("05 Dec 2026"): a day, the same in every zone. */
export function CalendarDate({ day }: { day: string | null | undefined }) {
  if (!day) return <span className="muted">—</span>;
  return (
    <time dateTime={day} className="time">
      {formatCalendarDate(day)}
    </time>
  );
}
