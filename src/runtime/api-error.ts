// What a failed API call rejects with: the apiserver's answer as an ApiError (its Status reason and
// message), or a RequestTimeoutError when no answer came in time.

/** A non-2xx answer, carrying the apiserver's Status reason (`NotFound`, `Conflict`, `Expired`, …). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiStatus(err: unknown, status: number): boolean {
  return err instanceof ApiError && err.status === status;
}

// The apiserver's answers callers decide on, by name (apimachinery's errors.IsNotFound and friends).
/** 400: the request is malformed (a label selector the apiserver refuses, say). */
export const isBadRequest = (err: unknown): boolean => isApiStatus(err, 400);
/** 404: the object (or its namespace) does not exist. */
export const isNotFound = (err: unknown): boolean => isApiStatus(err, 404);
/** 409: the name is taken (create), or the object changed since it was read (update). */
export const isConflict = (err: unknown): boolean => isApiStatus(err, 409);
/** 410: the watch's resourceVersion is too old. */
export const isGone = (err: unknown): boolean => isApiStatus(err, 410);
/** 422: the request is invalid; also a JSON patch whose `test` op failed. */
export const isInvalid = (err: unknown): boolean => isApiStatus(err, 422);
/** 403: the caller may not. */
export const isForbidden = (err: unknown): boolean => isApiStatus(err, 403);
/**
 * 429, 503 or 504: the apiserver did not do the request (throttled, unavailable, or its own deadline ran
 * out, as a busy etcd makes it), so an idempotent request may be sent again.
 */
export const isServerBusy = (err: unknown): boolean =>
  err instanceof ApiError && (err.status === 429 || err.status === 503 || err.status === 504);

export class RequestTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The ApiError of a non-2xx answer whose body is `text` (a Status, or anything else). */
export function apiError(status: number, text: string, what: string): ApiError {
  let body: unknown = text;
  let reason = '';
  let message = text.slice(0, 500);
  try {
    body = JSON.parse(text);
    const statusObj = body as { reason?: string; message?: string; kind?: string };
    reason = statusObj.reason ?? '';
    message = statusObj.message ?? message;
  } catch {
    // A non-JSON answer (a proxy, an HTML error page) keeps its text as the message.
  }
  return new ApiError(
    status,
    reason,
    `${what}: HTTP ${status}${reason ? ` ${reason}` : ''}: ${message}`,
    body,
  );
}
