/** The dashboard's filters: Status, Severity, Service, Owner and a text search, all kept in the URL. */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { OPEN_STATUSES, SEVERITIES, SLA_STATES, STATUSES, type Service, type User } from '../../../api/types';
import { SLA_STATE_TEXT } from '../../../lib/sla';
import type { ListFilters } from '../api/list';

export type FilterChange = Partial<Record<'status' | 'severity' | 'service_id' | 'assignee_id' | 'sla_state' | 'q', string[]>>;

interface Props {
  filters: ListFilters;
  services: Service[];
  users: User[];
  onChange: (change: FilterChange) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}

const OPEN = 'open';

function statusValue(status: string[]): string {
  if (status.length === 0) return '';
  if (status.length === OPEN_STATUSES.length && OPEN_STATUSES.every((s) => status.includes(s))) return OPEN;
  return status[0];
}

export function Filters({ filters, services, users, onChange, searchRef }: Props) {
  const [q, setQ] = useState(filters.q);
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

  const active =
    filters.status.length +
      filters.severity.length +
      filters.service_id.length +
      filters.assignee_id.length +
      filters.sla_state.length >
      0 ||
    filters.q !== '';

  return (
    <form className="filters" role="search" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor="f-status">Status</label>
        <select
          id="f-status"
          value={statusValue(filters.status)}
          onChange={(e) => {
            const v = e.target.value;
            onChange({ status: v === OPEN ? [...OPEN_STATUSES] : v ? [v] : [] });
          }}
        >
          <option value="">Any status</option>
          <option value={OPEN}>Open (New, Investigating, Mitigated)</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-severity">Severity</label>
        <select
          id="f-severity"
          value={filters.severity[0] ?? ''}
          onChange={(e) => onChange({ severity: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">Any severity</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-service">Service</label>
        <select
          id="f-service"
          value={filters.service_id[0] ?? ''}
          onChange={(e) => onChange({ service_id: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">Any service</option>
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-owner">Owner</label>
        <select
          id="f-owner"
          value={filters.assignee_id[0] ?? ''}
          onChange={(e) => onChange({ assignee_id: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">Anyone</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-sla">SLA</label>
        <select
          id="f-sla"
          value={filters.sla_state[0] ?? ''}
          onChange={(e) => onChange({ sla_state: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">Any SLA state</option>
          {SLA_STATES.map((s) => (
            <option key={s} value={s}>
              {SLA_STATE_TEXT[s].word}
            </option>
          ))}
        </select>
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
            onChange({ status: [], severity: [], service_id: [], assignee_id: [], sla_state: [], q: [] });
          }}
        >
          Clear filters
        </button>
      )}
    </form>
  );
}
