/** What the table and the cards share: the selection for bulk triage and each row's result. */
import type { Incident } from '../../../api/types';
import { incidentRef } from '../../../lib/format';
import type { RowResult } from '../api/bulk';

export interface ListProps {
  items: Incident[];
  /** Null when the person may not triage (viewers): no checkboxes. */
  selection: {
    selected: ReadonlySet<number>;
    toggle: (id: number) => void;
    toggleAll: () => void;
  } | null;
  results: ReadonlyMap<number, RowResult>;
}

export function SelectBox({ incident, selection }: { incident: Incident; selection: NonNullable<ListProps['selection']> }) {
  return (
    <input
      type="checkbox"
      className="select-box"
      aria-label={`Select ${incidentRef(incident.id)}`}
      checked={selection.selected.has(incident.id)}
      onChange={() => selection.toggle(incident.id)}
    />
  );
}

export function SelectAll({ items, selection, label }: { items: Incident[]; selection: NonNullable<ListProps['selection']>; label: string }) {
  const count = items.filter((i) => selection.selected.has(i.id)).length;
  return (
    <input
      type="checkbox"
      className="select-box"
      aria-label={label}
      checked={count > 0 && count === items.length}
      ref={(el) => {
        if (el) el.indeterminate = count > 0 && count < items.length;
      }}
      onChange={selection.toggleAll}
    />
  );
}

const RESULT_ICON = { done: '✔', skipped: '–', failed: '✖' } as const;

export function RowOutcome({ result }: { result: RowResult | undefined }) {
  if (!result) return null;
  return (
    <p className={`row-result row-result-${result.outcome}`}>
      <span aria-hidden="true">{RESULT_ICON[result.outcome]} </span>
      {result.message}
    </p>
  );
}
