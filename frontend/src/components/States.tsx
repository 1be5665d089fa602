/** Loading, empty and error states shared by every screen. */
import type { ReactNode } from 'react';
import { ApiError, errorMessage, errorWithCode } from '../api/errors';
import './States.css';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/**
 * Whether asking again can succeed: a lost connection, a server error (5xx), a timeout (408) or
 * a throttle (429). A missing incident (404), a refusal (401/403) or bad input (4xx) stays so.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 408 || error.status === 429;
  return error instanceof TypeError; // fetch's "Failed to fetch": the network, not the answer
}

/**
 * An error in place of a screen, or above one that stays (`lead` then says what failed, e.g.
 * a refresh); `retry` is offered only when retrying can succeed.
 */
export function ErrorState({ error, retry, lead }: { error: unknown; retry?: () => void; lead?: string }) {
  return (
    <div className="state-error" role="alert">
      <p>
        <span aria-hidden="true">⚠ </span>
        {lead && `${lead} `}
        {errorMessage(error)}
      </p>
      {retry && isRetryable(error) && (
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
 * A confirmation is announced in its live region and fades after a few seconds (States.css);
 * an error stays until the next action.
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
    // Keyed by its text, so a new confirmation starts its own fade.
    return (
      <p key={success} className="success confirmation" role="status">
        <span aria-hidden="true">✔ </span>
        {success}
      </p>
    );
  }
  return null;
}
