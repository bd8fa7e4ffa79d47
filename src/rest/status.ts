// Every error of the REST API in the Kubernetes `Status` shape (kind Status, code, reason, message,
// details.causes[].field), so a client that reads apiserver errors reads ours; an apiserver error is
// passed on as it came. An apiserver that does not answer (refused, reset, timed out, 5xx) is 503.

import { denialMessage, referenceDenial } from '../admission/index.js';
import { GROUP, type RunKindName } from '../api/index.js';
import { HttpError } from '../http/index.js';
import { ApiError, RequestTimeoutError } from '../runtime/index.js';
import { type Finding, MAX_FINDING_CHARS, REPORTED_FINDINGS, truncate } from '../validation/index.js';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface Status {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
}

/** The `reason` the apiserver gives each code (metav1.StatusReason). */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  408: 'Timeout',
  409: 'AlreadyExists',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export const reasonFor = (code: number): string =>
  REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');

/** An error a handler throws to answer with `status`. */
export class StatusError extends Error {
  override name = 'StatusError';
  constructor(readonly status: Status) {
    super(status.message);
  }
}

export function failure(code: number, message: string, details?: Status['details']): Status {
  return {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message,
    reason: reasonFor(code),
    code,
    ...(details ? { details } : {}),
  };
}

export const statusError = (code: number, message: string, details?: Status['details']) =>
  new StatusError(failure(code, message, details));

/** The details of a refused run: one cause per finding (at most REPORTED_FINDINGS), with admission's field path. */
function refusalDetails(kind: RunKindName, name: string, errors: Finding[]): Status['details'] {
  const causes = errors
    .filter((f) => f.omitted === undefined)
    .slice(0, REPORTED_FINDINGS)
    .map((f) => ({ reason: f.rule, message: truncate(f.message, MAX_FINDING_CHARS), field: f.path }));
  return { name, group: GROUP, kind, causes };
}

/** 422 Invalid: the admission webhook's message (`TaskRun.orchestrator.io "x" is invalid: …`) and its causes. */
export function invalid(kind: RunKindName, name: string, errors: Finding[]): StatusError {
  return statusError(422, denialMessage(kind, name, errors), refusalDetails(kind, name, errors));
}

/**
 * 403 Forbidden for what the caller may not make a run use, or 503 when RBAC could not be asked:
 * the validating webhook's denial (src/admission/reference-review.ts), message and code alike.
 */
export function forbidden(kind: RunKindName, name: string, errors: Finding[]): StatusError {
  const denial = referenceDenial(kind, name, errors);
  return statusError(denial.code, denial.message, {
    ...refusalDetails(kind, name, errors),
    ...(denial.code === 503 ? { retryAfterSeconds: 1 } : {}),
  });
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'ETIMEDOUT',
]);

/** Whether `err` means the apiserver could not be asked or did not answer in time. */
export function apiserverUnavailable(err: unknown): boolean {
  if (err instanceof RequestTimeoutError) return true;
  if (err instanceof ApiError) return err.status >= 500 || err.status === 429 || err.status === 0;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    typeof code === 'string' &&
    (UNREACHABLE_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('UND_ERR'))
  );
}

/**
 * The Status to answer for any error: ours as thrown, the apiserver's 4xx as it sent it, the apiserver
 * unavailable 503; anything else is a bug: 500 with a message that says so (the caller logs it).
 */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  if (err instanceof HttpError)
    return failure(
      err.status,
      err.message,
      err.retryAfterSeconds === undefined ? undefined : { retryAfterSeconds: err.retryAfterSeconds },
    );
  if (apiserverUnavailable(err))
    return failure(
      503,
      `the Kubernetes API server is unavailable: ${truncate((err as Error).message, 512)}`,
      {
        retryAfterSeconds: 1,
      },
    );
  if (err instanceof ApiError) {
    const body = err.body as Partial<Status> | undefined;
    if (body && typeof body === 'object' && body.kind === 'Status')
      return { ...failure(err.status, body.message ?? err.message), ...body, code: err.status } as Status;
    return failure(err.status, err.message);
  }
  return failure(500, 'internal error in the orchestrator API (logged); please report it');
}
