/** Loading, empty and error states shared by every screen. */
import type { ReactNode } from 'react';
import { errorMessage } from '../api/errors';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state-error" role="alert">
      <p>
        <span aria-hidden="true">⚠ </span>
        {errorMessage(error)}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="state-empty">
      <p>{children}</p>
      {action}
    </div>
  );
}

/** An inline result of an action: confirmation or the server's detail. */
export function ActionResult({ error, success }: { error?: unknown; success?: string | false | null }) {
  if (error) {
    return (
      <p className="error" role="alert">
        <span aria-hidden="true">⚠ </span>
        {errorMessage(error)}
      </p>
    );
  }
  if (success) {
    return (
      <p className="success" role="status">
        <span aria-hidden="true">✔ </span>
        {success}
      </p>
    );
  }
  return null;
}
