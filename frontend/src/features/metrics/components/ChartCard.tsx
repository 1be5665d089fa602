/**
 * A chart with its "view as table" alternative (same numbers, readable without the picture, each
 * row linking to its incidents when the chart drills down), its data as a CSV download, and words
 * instead of an empty picture.
 */
import { useId, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { csvFileName, downloadCsv, toCsv, type CsvValue } from './csv';

export interface Column<T> {
  header: string;
  /** The raw value, as the CSV carries it. */
  value: (row: T) => CsvValue;
  /** How the table shows it (default: the value). */
  cell?: (row: T) => ReactNode;
  /** The CSV's header when it differs (units: "MTTA (seconds)"). */
  csvHeader?: string;
}

interface Props<T> {
  title: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  chart: ReactNode;
  /** Said instead of the chart when there is nothing to draw. */
  empty: string;
  /** Whether there is anything to draw (default: any rows). */
  hasData?: boolean;
  /** The dashboard URL listing a row's incidents, when the chart drills down. */
  link?: (row: T) => string;
  /** What a row is, for its link's name ("incidents of 2026-11-26"). */
  linkName?: (row: T) => string;
  hint?: string;
}

export function ChartCard<T>({ title, rows, columns, rowKey, chart, empty, hasData, link, linkName, hint }: Props<T>) {
  const [asTable, setAsTable] = useState(false);
  const id = useId();
  const drawn = hasData ?? rows.length > 0;
  const download = () =>
    downloadCsv(
      csvFileName(title),
      toCsv(
        columns.map((c) => c.csvHeader ?? c.header),
        rows.map((r) => columns.map((c) => c.value(r))),
      ),
    );
  return (
    <section className="card chart-card" aria-labelledby={id}>
      <div className="page-head">
        <h2 id={id}>{title}</h2>
        {drawn && (
          <div className="chart-actions">
            <button type="button" aria-pressed={asTable} onClick={() => setAsTable((v) => !v)}>
              {asTable ? 'View as chart' : 'View as table'}
            </button>
            <button type="button" onClick={download} aria-label={`Download CSV of ${title}`}>
              Download CSV
            </button>
          </div>
        )}
      </div>
      {!drawn ? (
        <p className="muted chart-empty">{empty}</p>
      ) : asTable ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.header} scope="col">
                    {c.header}
                  </th>
                ))}
                {link && (
                  <th scope="col">
                    <span className="visually-hidden">Incidents</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={rowKey(r)}>
                  {columns.map((c) => (
                    <td key={c.header}>{c.cell ? c.cell(r) : c.value(r)}</td>
                  ))}
                  {link && (
                    <td>
                      <Link to={link(r)} aria-label={`List ${linkName ? linkName(r) : 'incidents'}`}>
                        List
                      </Link>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <>
          {hint && <p className="muted chart-hint">{hint}</p>}
          <figure className="chart" aria-label={`${title} chart`} role="img">
            {chart}
          </figure>
        </>
      )}
    </section>
  );
}
