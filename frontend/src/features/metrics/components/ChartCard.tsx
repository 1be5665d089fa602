/** A chart with its "view as table" alternative: same numbers, readable without the picture. */
import { useId, useState, type ReactNode } from 'react';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

interface Props<T> {
  title: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  chart: ReactNode;
}

export function ChartCard<T>({ title, rows, columns, rowKey, chart }: Props<T>) {
  const [asTable, setAsTable] = useState(false);
  const id = useId();
  return (
    <section className="card chart-card" aria-labelledby={id}>
      <div className="page-head">
        <h2 id={id}>{title}</h2>
        <button type="button" aria-pressed={asTable} onClick={() => setAsTable((v) => !v)}>
          {asTable ? 'View as chart' : 'View as table'}
        </button>
      </div>
      {rows.length === 0 ? (
        <p className="muted">No data in this window.</p>
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
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={rowKey(r)}>
                  {columns.map((c) => (
                    <td key={c.header}>{c.cell(r)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <figure className="chart" aria-label={`${title} chart`} role="img">
          {chart}
        </figure>
      )}
    </section>
  );
}
