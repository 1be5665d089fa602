/** Turns FastAPI's `{"detail": ...}` error bodies into a sentence a person can act on. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    super(detailMessage(detail, status));
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }
}

interface ValidationItem {
  loc?: unknown[];
  msg?: string;
}

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
  if (detail && typeof detail === 'object') {
    const d = detail as { message?: unknown; detail?: unknown };
    if (typeof d.message === 'string') return d.message;
    if (d.detail !== undefined) return detailMessage(d.detail, status);
  }
  return status ? `Request failed (HTTP ${status})` : 'Request failed';
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
