// A KubeClient that records the RBAC attributes of every call it makes (verb, API group, resource,
// subresource, namespace), as the apiserver's authorizer sees them, and which of them were forbidden:
// what test/integration/rbac.test.ts compares with the rules of config/rbac.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  type CallOptions,
  isForbidden,
  KubeClient,
  type KubeObject,
  type Query,
  type WatchEvent,
} from '../../../src/runtime/index.js';
import type { StreamOptions, WatchOptions } from '../../../src/runtime/kube-client.js';
import { REQUEST_LIMIT_MS } from '../util/wait.js';

export interface RequestAttributes {
  verb: string;
  /** '' for the core group. */
  group: string;
  resource: string;
  /** '' for none. */
  subresource: string;
  /** '' for a cluster-scoped request. */
  namespace: string;
  /** The object's name, for a request about one (what a rule's resourceNames restricts). */
  name?: string;
}

/** `verb group/resource[/subresource]`: one permission, as a rule grants it. */
export const permission = (a: Omit<RequestAttributes, 'namespace'>): string =>
  `${a.verb} ${a.group || 'core'}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;

const VERBS: Record<string, [item: string, collection: string]> = {
  GET: ['get', 'list'],
  POST: ['create', 'create'],
  PUT: ['update', 'update'],
  PATCH: ['patch', 'patch'],
  DELETE: ['delete', 'deletecollection'],
};

/** The authorizer's view of a resource request (k8s.io/apiserver RequestInfoFactory, resource paths). */
export function requestAttributes(method: string, path: string, query: Query = {}): RequestAttributes {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const [prefix, ...rest] = parts;
  const afterVersion = prefix === 'api' ? rest.slice(1) : rest.slice(2);
  const group = prefix === 'api' ? '' : (rest[0] ?? '');
  const namespaced = afterVersion[0] === 'namespaces' && afterVersion.length > 2;
  const [resource = '', name, subresource = ''] = namespaced ? afterVersion.slice(2) : afterVersion;
  const namespace = namespaced ? decodeURIComponent(afterVersion[1] ?? '') : '';
  const [item, collection] = VERBS[method] ?? [method.toLowerCase(), method.toLowerCase()];
  const verb = query.watch === true || query.watch === 'true' ? 'watch' : name ? item : collection;
  return {
    verb,
    group,
    resource,
    subresource,
    namespace,
    ...(name ? { name: decodeURIComponent(name) } : {}),
  };
}

/**
 * Creating an object whose owner reference has blockOwnerDeletion needs `update` on the owner's
 * finalizers subresource where the OwnerReferencesPermissionEnforcement admission plugin runs (it does
 * not in the test control plane): counted as used, so the rule for it is justified by the code.
 */
function ownerFinalizerChecks(body: unknown, plurals: ReadonlyMap<string, string>): RequestAttributes[] {
  const refs = (body as KubeObject | undefined)?.metadata?.ownerReferences ?? [];
  return refs
    .filter((ref) => ref.blockOwnerDeletion)
    .map((ref) => ({
      verb: 'update',
      group: ref.apiVersion.includes('/') ? (ref.apiVersion.split('/')[0] as string) : '',
      resource: plurals.get(ref.kind) ?? `unknown kind ${ref.kind}`,
      subresource: 'finalizers',
      namespace: (body as KubeObject).metadata?.namespace ?? '',
    }));
}

export class RecordingClient extends KubeClient {
  readonly requests: RequestAttributes[] = [];
  readonly forbidden: Array<RequestAttributes & { message: string }> = [];

  /** `ownerPlurals`: kind → plural, for the owner references of created objects. */
  constructor(
    kubeConfig: KubeConfig,
    private readonly ownerPlurals: ReadonlyMap<string, string>,
  ) {
    super(kubeConfig, { requestTimeoutMs: REQUEST_LIMIT_MS });
  }

  override async request<T = KubeObject>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const attributes = requestAttributes(method, path, opts.query);
    this.requests.push(attributes);
    if (method === 'POST') this.requests.push(...ownerFinalizerChecks(opts.body, this.ownerPlurals));
    return this.observe(attributes, super.request<T>(method, path, opts));
  }

  override watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    opts: WatchOptions,
  ): Promise<void> {
    const attributes = requestAttributes('GET', path, { ...query, watch: true });
    this.requests.push(attributes);
    return this.observe(attributes, super.watch(path, query, onEvent, opts));
  }

  /** A pod's log (and, under watch, a watch: the same attributes again). */
  override stream(
    path: string,
    query: Query,
    onData: (chunk: string) => void,
    opts: StreamOptions,
  ): Promise<void> {
    const attributes = requestAttributes('GET', path, query);
    this.requests.push(attributes);
    return this.observe(attributes, super.stream(path, query, onData, opts));
  }

  private async observe<T>(attributes: RequestAttributes, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      if (isForbidden(err)) this.forbidden.push({ ...attributes, message: (err as Error).message });
      throw err;
    }
  }
}
