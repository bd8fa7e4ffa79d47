// A client span per Kubernetes API call made inside a traced operation (a reconcile, an admission
// review): the calls a reconcile made, and how long each took, are in its trace. Calls outside one
// (informer lists and watches, Lease renewals) make no span: they would each be a trace of one span.
import { type Attributes, SpanKind } from '@opentelemetry/api';
import { activeSpan, inSpan, tracingEnabled } from './tracing.js';

/**
 * The resource and subresource a path names, low in cardinality for a span name:
 * `/apis/batch/v1/namespaces/ns/jobs/x/status` → `jobs/status`, `/api/v1/namespaces/ns/pods` → `pods`.
 */
export function apiTarget(path: string): { resource: string; namespace?: string; name?: string } {
  const parts =
    path
      .split('?')[0]
      ?.split('/')
      .filter((p) => p !== '') ?? [];
  // /api/{version}/… or /apis/{group}/{version}/…
  let i = parts[0] === 'api' ? 2 : parts[0] === 'apis' ? 3 : parts.length;
  let namespace: string | undefined;
  if (parts[i] === 'namespaces' && parts.length > i + 2) {
    namespace = decodeURIComponent(parts[i + 1] ?? '');
    i += 2;
  }
  const [resource, name, ...sub] = parts.slice(i);
  if (resource === undefined) return { resource: path };
  return {
    resource: sub.length ? `${resource}/${sub.join('/')}` : resource,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name: decodeURIComponent(name) }),
  };
}

/** `send()` in a client span when a traced operation is active; else `send()` alone. */
export function apiCall<T>(method: string, path: string, send: () => Promise<T>): Promise<T> {
  if (!tracingEnabled() || !activeSpan()) return send();
  const target = apiTarget(path);
  const attributes: Attributes = { 'http.request.method': method, 'url.path': path.split('?')[0] ?? path };
  if (target.namespace !== undefined) attributes['k8s.namespace.name'] = target.namespace;
  return inSpan(`${method} ${target.resource}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await send();
    } catch (err) {
      // The answer's code, when there was one: `send` resolves to the body alone, so a 2xx is not told.
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
      throw err;
    }
  });
}
