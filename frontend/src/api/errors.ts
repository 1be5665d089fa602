/**
 * The server's error answers, read in one place. Every error body is `{detail, code, ...facts}`
 * (the schema's `ErrorBody`): the console branches on `code` and reads the facts (`missing`,
 * `allowed`, `current_version`, `field`, `retry_after`, ...). `detail` is for people: it is
 * shown as the server wrote it, never parsed.
 */
import type { components } from './schema';
import { rcaSectionName } from './rcaFields';

export type ErrorBody = components['schemas']['ErrorBody'];
export type ErrorCode = ErrorBody['code'];
/** What an error says besides its code and its sentence for people. */
export type ErrorFacts = Omit<ErrorBody, 'code' | 'detail'>;

export class ApiError extends Error {
  readonly status: number;
  /** Null when the answer was not the API's error body (a proxy's page, an empty body). */
  readonly code: ErrorCode | null;
  readonly facts: ErrorFacts;
  /** The server's `detail`: a sentence, or FastAPI's list of failed fields. */
  readonly detail: unknown;
  /** The server's words, as a sentence (what `detail` says, fields named by their `loc`). */
  readonly serverMessage: string;

  /** `body`: the parsed JSON of the error answer, whatever it was. */
  constructor(status: number, body: unknown) {
    const parsed = readBody(body);
    const serverMessage = detailMessage(parsed.detail, status);
    super(consoleMessage(parsed.code, parsed.facts) ?? serverMessage);
    this.name = 'ApiError';
    this.status = status;
    this.code = parsed.code;
    this.facts = parsed.facts;
    this.detail = parsed.detail;
    this.serverMessage = serverMessage;
  }
}

function readBody(body: unknown): { code: ErrorCode | null; facts: ErrorFacts; detail: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { code: null, facts: {}, detail: body };
  const { code, detail, ...facts } = body as Partial<ErrorBody>;
  return { code: typeof code === 'string' ? code : null, facts, detail };
}

/** The error as an ApiError with one of `codes`, or null: the one way screens branch on errors. */
export function errorWithCode<C extends ErrorCode>(error: unknown, ...codes: C[]): (ApiError & { code: C }) | null {
  return error instanceof ApiError && error.code !== null && (codes as ErrorCode[]).includes(error.code)
    ? (error as ApiError & { code: C })
    : null;
}

const list = (items: readonly string[]) => items.join(', ');

/**
 * The console's own sentence for the codes whose facts say more than the prose: what to do
 * next, with the facts named. Null for the rest, which show the server's `detail`.
 */
function consoleMessage(code: ErrorCode | null, facts: ErrorFacts): string | null {
  switch (code) {
    case 'closure_blocked': {
      const all = facts.missing ?? [];
      const followUp = all.includes('action_items')
        ? ' This service also needs at least one follow-up with an owner and a due date: add one under Follow-ups.'
        : '';
      const missing = all.filter((m) => m !== 'action_items');
      if (all.length === 0) return 'Cannot close yet: the RCA is incomplete. Fill it in below and save it.';
      if (missing.length === 0) return `Cannot close yet.${followUp}`;
      return `Cannot close yet: the RCA is missing ${list(missing.map(rcaSectionName))}. Fill these in below and save the RCA.${followUp}`;
    }
    case 'stale_version': {
      const now = facts.current_version != null ? ` (it is now at version ${facts.current_version})` : '';
      return `Someone else changed this incident since you loaded it${now}. Reload it to see their change, then try again.`;
    }
    case 'illegal_transition': {
      const to = facts.target ? ` to ${facts.target}` : '';
      const from = facts.current ? `from ${facts.current} ` : '';
      const allowed = facts.allowed ?? [];
      const where = allowed.length > 0 ? `it may go to ${list(allowed)}` : 'it cannot move any further';
      return `Cannot move this incident${to}: ${from}${where}.`;
    }
    case 'too_many_attempts':
      // The wait (`retry_after`, seconds) is said by the screen that knows the reader's units:
      // the sign-in screen says it in minutes (lib/format's formatWait).
      return 'Too many failed attempts. Wait a little and try again.';
    default:
      return null;
  }
}

interface ValidationItem {
  loc?: unknown[];
  msg?: string;
}

/** `detail` as a sentence: a string as written; FastAPI's list as "field: message; ...". */
export function detailMessage(detail: unknown, status?: number): string {
  if (typeof detail === 'string' && detail.trim()) return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return detail
      .map((item: ValidationItem | string) => {
        if (typeof item === 'string') return item;
        const loc = item.loc ?? [];
        const where = loc.slice(['body', 'query', 'path', 'header'].includes(String(loc[0])) ? 1 : 0).join('.');
        return where ? `${where}: ${item.msg ?? 'invalid'}` : (item.msg ?? 'invalid');
      })
      .join('; ');
  }
  return status ? `Request failed (HTTP ${status})` : 'Request failed';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
