/**
 * The dashboard's filters: Status, Severity, Service, Owner, SLA, a text search and the creation
 * window (a removable chip), all kept in the URL. On a phone the selects fold behind a
 * "Filters" button that counts the active ones; search stays in view.
 */
import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import { OPEN_STATUSES, SEVERITIES, SLA_STATES, STATUSES, type Service, type User } from '../../../api/types';
import { formatAbsolute } from '../../../lib/format';
import { SLA_STATE_TEXT } from '../../../lib/sla';
import { FILTER_PARAMS, type ListFilters } from '../api/list';

export type FilterChange = Partial<Record<(typeof FILTER_PARAMS)[number], string[]>>;

interface Props {
  filters: ListFilters;
  services: Service[];
  /** The people who can own incidents. */
  users: User[];
  onChange: (change: FilterChange) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  /** Fold the selects behind a button (phones). */
  foldable: boolean;
}

/** How many of the folded filters are set (search is always in view, so not counted). */
function activeCount(f: ListFilters): number {
  return [f.status, f.severity, f.service_id, f.assignee_id, f.sla_state].filter((v) => v.length > 0).length +
    (f.created_from || f.created_to ? 1 : 0);
}

function createdText(from: string | null, to: string | null): string {
  if (from && to) return `Created between ${formatAbsolute(from)} and ${formatAbsolute(to)}`;
  if (from) return `Created since ${formatAbsolute(from)}`;
  return `Created before ${formatAbsolute(to)}`;
}

const OPEN = 'open';

function statusValue(status: string[]): string {
  if (status.length === 0) return '';
  if (status.length === OPEN_STATUSES.length && OPEN_STATUSES.every((s) => status.includes(s))) return OPEN;
  return status[0];
}

/** A filter that is one value or none: an empty value means "any". */
const one = (value: string): string[] => (value ? [value] : []);

interface Choice {
  value: string;
  label: string;
}

/** One labelled select of the filter row: "any" first, then the choices. */
function FilterSelect({ id, label, value, any, choices, onPick }: { id: string; label: string; value: string; any: string; choices: Choice[]; onPick: (value: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onPick(e.target.value)}>
        <option value="">{any}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Filters({ filters, services, users, onChange, searchRef, foldable }: Props) {
  const [q, setQ] = useState(filters.q);
  const [unfolded, setUnfolded] = useState(false);
  const selectsId = useId();
  const lastSent = useRef(filters.q);

  useEffect(() => {
    if (filters.q !== lastSent.current) {
      lastSent.current = filters.q;
      setQ(filters.q);
    }
  }, [filters.q]);

  useEffect(() => {
    if (q === lastSent.current) return;
    const t = window.setTimeout(() => {
      lastSent.current = q;
      onChange({ q: q ? [q] : [] });
    }, 300);
    return () => window.clearTimeout(t);
  }, [q, onChange]);

  const count = activeCount(filters);
  const active = count > 0 || filters.q !== '';
  const folded = foldable && !unfolded;

  return (
    <>
      <form className="filters" role="search" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        {foldable && (
          <button
            type="button"
            className="filters-toggle"
            aria-expanded={!folded}
            aria-controls={selectsId}
            onClick={() => setUnfolded((v) => !v)}
          >
            Filters{count > 0 && <span className="filters-count"> ({count} active)</span>}
          </button>
        )}
        <div className="filter-selects" id={selectsId} hidden={folded}>
          <FilterSelect
            id="f-status"
            label="Status"
            value={statusValue(filters.status)}
            any="Any status"
            choices={[{ value: OPEN, label: 'Open (New, Investigating, Mitigated)' }, ...STATUSES.map((s) => ({ value: s, label: s }))]}
            onPick={(v) => onChange({ status: v === OPEN ? [...OPEN_STATUSES] : one(v) })}
          />
          <FilterSelect
            id="f-severity"
            label="Severity"
            value={filters.severity[0] ?? ''}
            any="Any severity"
            choices={SEVERITIES.map((s) => ({ value: s, label: s }))}
            onPick={(v) => onChange({ severity: one(v) })}
          />
          <FilterSelect
            id="f-service"
            label="Service"
            value={String(filters.service_id[0] ?? '')}
            any="Any service"
            choices={services.map((s) => ({ value: String(s.id), label: s.name }))}
            onPick={(v) => onChange({ service_id: one(v) })}
          />
          <FilterSelect
            id="f-owner"
            label="Owner"
            value={String(filters.assignee_id[0] ?? '')}
            any="Anyone"
            choices={[{ value: 'me', label: 'Mine' }, { value: 'none', label: 'Unassigned' }, ...users.map((u) => ({ value: String(u.id), label: u.name }))]}
            onPick={(v) => onChange({ assignee_id: one(v) })}
          />
          <FilterSelect
            id="f-sla"
            label="SLA"
            value={filters.sla_state[0] ?? ''}
            any="Any SLA state"
            choices={SLA_STATES.map((s) => ({ value: s, label: SLA_STATE_TEXT[s].word }))}
            onPick={(v) => onChange({ sla_state: one(v) })}
          />
        </div>
        <div className="field grow">
          <label htmlFor="f-q">Search</label>
          <input
            id="f-q"
            ref={searchRef}
            type="search"
            placeholder="Title or description  (press / to focus)"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        {active && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setQ('');
              lastSent.current = '';
              onChange(Object.fromEntries(FILTER_PARAMS.map((k) => [k, []])));
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      {(filters.created_from || filters.created_to) && (
        <ul className="chips" aria-label="Other filters">
          <li className="chip">
            {createdText(filters.created_from, filters.created_to)}
            <button
              type="button"
              className="chip-remove"
              aria-label="Remove the creation time filter"
              onClick={() => onChange({ created_from: [], created_to: [] })}
            >
              <span aria-hidden="true">×</span>
            </button>
          </li>
        </ul>
      )}
    </>
  );
}
