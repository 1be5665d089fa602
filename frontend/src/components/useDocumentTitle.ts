import { useEffect } from 'react';

/** Names the screen in the browser tab: "INC-7 · SEV2 · Investigating — Incident Console". */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} — Incident Console` : 'Incident Console';
  }, [title]);
}
