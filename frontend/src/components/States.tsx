/** Loading, empty and error states shared by every screen. */
import type { ReactNode } from 'react';
import { errorMessage, errorWithCode } from '../api/errors';

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

/**
 * An inline result of an action: confirmation, or what went wrong (errors.ts's sentence: where
 * the console has its own, from the code and its facts, the server's prose is not repeated
 * beside it, since it names fields as the API does, e.g. `root_cause`). Given `onReload`, an answer that the
 * incident changed under the screen (`stale_version`, `illegal_transition`) offers a reload.
 */
export function ActionResult({
  error,
  success,
  onReload,
}: {
  error?: unknown;
  success?: string | false | null;
  onReload?: () => void;
}) {
  if (error) {
    const reload = onReload && errorWithCode(error, 'stale_version', 'illegal_transition');
    return (
      <p className="error" role="alert">
        <span aria-hidden="true">⚠ </span>
        {errorMessage(error)}
        {reload && (
          <>
            {' '}
            <button type="button" onClick={onReload}>
              Reload incident
            </button>
          </>
        )}
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
