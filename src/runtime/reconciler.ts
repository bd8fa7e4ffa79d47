// The reconciler contract (controller-runtime's reconcile.Request/Result/Reconciler): a reconciler is
// handed the name of an object, never the event that woke it, and makes the world match that object.
import type { Logger } from 'pino';

/** Names the object to reconcile; `namespace` is '' for a cluster-scoped object. */
export interface Request {
  namespace: string;
  name: string;
}

/**
 * What to do after a successful reconcile. Empty (or undefined): nothing until the next event.
 * `requeueAfter` (ms) wins over `requeue`, as in controller-runtime.
 */
export interface Result {
  /** Reconcile again after this many ms, whatever happens meanwhile. */
  requeueAfter?: number;
  /** Reconcile again after the per-item backoff, without counting an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Aborted when the controller must stop now (lost leadership, shutdown timeout): give up promptly. */
  signal: AbortSignal;
  logger: Logger;
  /** Failures of this key since its last success (0 on a first attempt). */
  retries: number;
}

/**
 * Reconciles one object. Resolving means done (see {@link Result}); throwing means retry with
 * per-item exponential backoff; throwing a {@link TerminalError} means do not retry until the object
 * changes again. Must be idempotent and level-based: read current state, never trust event order.
 */
export interface Reconciler {
  // biome-ignore lint/suspicious/noConfusingVoidType: lets `async reconcile() {}` (Promise<void>) implement it.
  reconcile(request: Request, context: ReconcileContext): Promise<Result | undefined | void>;
}

/** An error that retrying cannot fix (e.g. an invalid spec): logged and counted, never retried. */
export class TerminalError extends Error {
  readonly terminal = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** Recognises terminal errors by shape too, so that one from another copy of this module still counts. */
export function isTerminalError(err: unknown): boolean {
  return (
    err instanceof TerminalError ||
    (typeof err === 'object' && err !== null && (err as { terminal?: unknown }).terminal === true)
  );
}

/** client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` when cluster-scoped. */
export function requestKey(request: Request): string {
  return request.namespace ? `${request.namespace}/${request.name}` : request.name;
}

export function requestFromKey(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Whether a reconcile failed from a bug rather than from the world: what a Go reconciler would do by
 * panicking (a nil dereference, an index out of range). In JavaScript that is an error the engine
 * throws (TypeError for `undefined.x`, ReferenceError, RangeError, SyntaxError from JSON.parse of our
 * own output) or a thrown value that is no Error at all. Counted as controller-runtime counts panics;
 * still an ordinary error for the queue (retried with backoff), as controller-runtime recovers them.
 */
export function isPanic(err: unknown): boolean {
  return (
    !(err instanceof Error) ||
    err instanceof TypeError ||
    err instanceof ReferenceError ||
    err instanceof RangeError ||
    err instanceof SyntaxError
  );
}
