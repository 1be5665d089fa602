/** Downloads the post-incident report (Markdown) with the auth header, under the server's file name. */
import { useState } from 'react';
import { fetchAuthed } from '../../../api/client';
import { ActionResult } from '../../../components/States';

export function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

export function ExportReportButton({ incidentId }: { incidentId: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const download = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const response = await fetchAuthed(`/incidents/${incidentId}/report.md`);
      const blob = await response.blob();
      const name = fileNameFrom(response.headers.get('Content-Disposition'), `INC-${incidentId}-report.md`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDone(`Downloaded ${name}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="export">
      <button type="button" onClick={() => void download()} disabled={busy}>
        {busy ? 'Exporting…' : 'Export Post-Incident Report (Markdown)'}
      </button>
      <ActionResult error={error} success={done} />
    </div>
  );
}
