/** Timestamps: relative with the absolute (zoned) time on hover, or absolute outright. */
import { formatAbsolute, formatRelative } from '../lib/format';
import { useNow } from './useNow';

export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  const now = useNow(15_000);
  if (!iso) return <span className="muted">—</span>;
  const absolute = formatAbsolute(iso);
  return (
    <time dateTime={iso} title={absolute}>
      {formatRelative(iso, now)}
      <span className="visually-hidden"> ({absolute})</span>
    </time>
  );
}

export function AbsoluteTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return <time dateTime={iso}>{formatAbsolute(iso)}</time>;
}

/** Both at once, for detail panels: "27 Nov 2026, 14:02 UTC (12m ago)". */
export function FullTime({ iso }: { iso: string | null | undefined }) {
  const now = useNow(15_000);
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso}>
      {formatAbsolute(iso)} <span className="muted">({formatRelative(iso, now)})</span>
    </time>
  );
}
