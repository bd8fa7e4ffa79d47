// An in-memory ApiRequester for unit tests of code that talks to the API: objects are kept by their
// item path, every call is recorded, and a test may make the next call of a method and path answer
// an error (as the apiserver would: an ApiError with the status and reason). Just enough REST: POST
// to a collection (409 AlreadyExists if the name is taken), GET / PUT (also on /status; optionally
// 409 Conflict on a stale resourceVersion, a new one on success) / PATCH (answers
// the stored object; the patch itself is not applied) / DELETE of an item (404 if absent, 409
// Conflict if DeleteOptions' `preconditions.uid` is not the object's), and GET (list) of a collection
// by `labelSelector` (`key=value`, comma-separated).
import {
  ApiError,
  type ApiRequester,
  type CallOptions,
  type KubeObject,
} from '../../../src/runtime/index.js';

export interface ApiCall {
  method: string;
  path: string;
  query?: CallOptions['query'];
  body?: unknown;
  contentType?: string;
}

const STATUS_REASONS: Record<number, string> = {
  404: 'NotFound',
  409: 'AlreadyExists',
  422: 'Invalid',
  500: 'InternalError',
};

export function apiError(status: number, reason = STATUS_REASONS[status] ?? 'Unknown', message = reason) {
  return new ApiError(status, reason, message, { kind: 'Status', code: status, reason, message });
}

const matches = (obj: KubeObject, selector: string): boolean =>
  selector.split(',').every((term) => {
    const [key = '', value] = term.split('=');
    return obj.metadata?.labels?.[key] === value;
  });

export class FakeApi implements ApiRequester {
  readonly calls: ApiCall[] = [];
  /** Stored objects by item path (`…/namespaces/ns/jobs/name`). */
  readonly objects = new Map<string, KubeObject>();
  private readonly failures: { method: string; path: string; error: Error }[] = [];
  private readonly lostAnswers: { method: string; path: string; error: Error }[] = [];
  private serial = 0;

  /**
   * `optimistic`: PUT as the apiserver does it, refusing a stale resourceVersion (409 Conflict) and
   * giving the stored object a new one; off, a PUT replaces what is stored, whatever it carries.
   */
  constructor(private readonly optimistic = false) {}

  /** Stores `obj` as if it existed in the cluster, at `collection`/name. */
  seed(collection: string, obj: KubeObject): void {
    this.objects.set(`${collection}/${obj.metadata?.name}`, obj);
  }

  /** The next `method` call on exactly `path` answers `error` (and changes nothing). */
  failNext(method: string, path: string, error: Error): void {
    this.failures.push({ method, path, error });
  }

  /** The next `method` call on exactly `path` is done, then answers `error`: its answer lost, as a timeout loses it. */
  loseNextAnswer(method: string, path: string, error: Error): void {
    this.lostAnswers.push({ method, path, error });
  }

  /** The recorded calls of one method, optionally only those on `path` or paths matching it. */
  made(method: string, path?: string | RegExp): ApiCall[] {
    return this.calls.filter(
      (c) =>
        c.method === method &&
        (path === undefined || (typeof path === 'string' ? c.path === path : path.test(c.path))),
    );
  }

  async request<T = KubeObject>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    this.calls.push({
      method,
      path,
      ...(opts.query ? { query: opts.query } : {}),
      ...(opts.body === undefined ? {} : { body: structuredClone(opts.body) }),
      ...(opts.contentType ? { contentType: opts.contentType } : {}),
    });
    const failure = this.failures.findIndex((f) => f.method === method && f.path === path);
    if (failure >= 0) throw this.failures.splice(failure, 1)[0]?.error;
    const answer = this.answer(method, path, opts);
    const lost = this.lostAnswers.findIndex((f) => f.method === method && f.path === path);
    if (lost >= 0) throw this.lostAnswers.splice(lost, 1)[0]?.error;
    // As the real client: a discarded answer is never seen by the caller.
    return (opts.discardAnswer ? undefined : answer) as T;
  }

  private answer(method: string, path: string, opts: CallOptions): unknown {
    const body = structuredClone(opts.body) as KubeObject | undefined;
    const item = path.replace(/\/status$/, '');
    const stored = this.objects.get(item);
    switch (method) {
      case 'POST': {
        const at = `${path}/${body?.metadata?.name}`;
        if (this.objects.has(at)) throw apiError(409, 'AlreadyExists', `${at} already exists`);
        const n = ++this.serial;
        const created = {
          ...body,
          metadata: { ...body?.metadata, uid: `uid-${n}`, resourceVersion: String(n) },
        };
        this.objects.set(at, created);
        return created;
      }
      case 'GET': {
        const selector = opts.query?.labelSelector;
        if (typeof selector === 'string') return { items: this.selected(path, selector).map(([, o]) => o) };
        if (!stored) throw apiError(404, 'NotFound', `${path} not found`);
        return stored;
      }
      case 'PUT':
      case 'PATCH': {
        if (!stored) throw apiError(404, 'NotFound', `${path} not found`);
        if (method === 'PATCH') return stored;
        // Optimistic concurrency, as the apiserver: a PUT of a stale resourceVersion is refused.
        if (!this.optimistic) {
          this.objects.set(item, body as KubeObject);
          return body;
        }
        const sent = body?.metadata?.resourceVersion;
        const current = stored.metadata?.resourceVersion;
        if (sent !== undefined && current !== undefined && sent !== current)
          throw apiError(409, 'Conflict', `${path}: the object has been modified`);
        const next =
          current === undefined
            ? (body as KubeObject)
            : { ...body, metadata: { ...body?.metadata, resourceVersion: `${current}.${++this.serial}` } };
        this.objects.set(item, next);
        return next;
      }
      case 'DELETE': {
        if (!stored) throw apiError(404, 'NotFound', `${path} not found`);
        const uid = (body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
        if (uid !== undefined && uid !== stored.metadata?.uid)
          throw apiError(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}`);
        this.objects.delete(item);
        return stored;
      }
      default:
        throw apiError(405, 'MethodNotAllowed', `${method} ${path}`);
    }
  }

  /** The stored objects directly in the collection at `path` that match `selector`. */
  private selected(path: string, selector: string): [string, KubeObject][] {
    return [...this.objects].filter(
      ([at, obj]) =>
        at.startsWith(`${path}/`) && !at.slice(path.length + 1).includes('/') && matches(obj, selector),
    );
  }
}
