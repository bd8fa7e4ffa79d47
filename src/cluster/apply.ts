// Server-side apply with the product's one API client: what `kubectl apply --server-side
// --force-conflicts` does for a list of objects. Each object's resource (plural, scope) comes from
// discovery, so any manifest applies without a table of kinds to keep in step with config/.
import { KubeConfig } from '../kubeconfig/index.js';
import {
  type ApiRequester,
  groupOf,
  isServerBusy,
  KubeClient,
  type KubeClientOptions,
  type KubeObject,
  resourcePath,
} from '../runtime/index.js';

/** Who owns the applied fields; forced, as an installer's are meant to win over earlier hands. */
export const FIELD_MANAGER = 'orchestrator';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Resolves kinds with one discovery call per apiVersion, remembered for the life of the resolver. */
function discoveryResolver(client: ApiRequester, timeoutMs: number | undefined) {
  const lists = new Map<string, Promise<ApiResource[]>>();
  return async (obj: KubeObject): Promise<{ plural: string; namespaced: boolean }> => {
    const apiVersion = obj.apiVersion ?? '';
    const path = groupOf(apiVersion) ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list = lists.get(apiVersion);
    if (!list) {
      list = client
        .request<{ resources?: ApiResource[] }>('GET', path, { timeoutMs })
        .then((r) => r.resources ?? []);
      // A failed lookup must not be remembered: the next object may find the group served.
      list.catch(() => lists.delete(apiVersion));
      lists.set(apiVersion, list);
    }
    const found = (await list).find((r) => r.kind === obj.kind && !r.name.includes('/'));
    if (!found) throw new Error(`the apiserver serves no ${obj.kind} in ${apiVersion}`);
    return { plural: found.name, namespaced: found.namespaced };
  };
}

export interface ApplyOptions {
  fieldManager?: string;
  /** Limit on each request. Default: the client's. */
  timeoutMs?: number;
  /** Pause before the first repeat of a PATCH the apiserver did not do (doubled each time). Default 1 s. */
  busyDelayMs?: number;
}

/** How many times one object's PATCH is sent while the apiserver answers that it is busy. */
export const APPLY_ATTEMPTS = 4;

/**
 * Sends an apply PATCH again while the apiserver answers that it did not do it (isServerBusy: a large
 * CRD on a loaded control plane meets its 60 s deadline): the patch is the whole intent, so sending it
 * again is safe; any other answer is final.
 */
async function patchWhileBusy<T>(send: () => Promise<T>, delayMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!isServerBusy(err) || attempt === APPLY_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, delayMs * 2 ** (attempt - 1)));
    }
  }
}

/** Applies `objects` in order (a Namespace before what lives in it); resolves to what the apiserver returned. */
export async function applyObjects(
  client: ApiRequester,
  objects: KubeObject[],
  opts: ApplyOptions = {},
): Promise<KubeObject[]> {
  const resolve = discoveryResolver(client, opts.timeoutMs);
  const applied: KubeObject[] = [];
  for (const obj of objects) {
    const what = `${obj.kind} ${obj.metadata?.name ?? '(no name)'}`;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name)
      throw new Error(`${what}: not an object to apply`);
    const { plural, namespaced } = await resolve(obj);
    const namespace = obj.metadata.namespace;
    // kubectl would fall back to the context's namespace; an installer's manifests must say where.
    if (namespaced && !namespace) throw new Error(`${what}: namespaced, but has no metadata.namespace`);
    const group = groupOf(obj.apiVersion);
    const version = group ? obj.apiVersion.slice(group.length + 1) : obj.apiVersion;
    const path = resourcePath(
      { group, version, plural, kind: obj.kind },
      namespaced ? namespace : undefined,
      obj.metadata.name,
    );
    applied.push(
      await patchWhileBusy(
        () =>
          client.request<KubeObject>('PATCH', path, {
            body: obj,
            contentType: 'application/apply-patch+yaml',
            query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER, force: true },
            timeoutMs: opts.timeoutMs,
          }),
        opts.busyDelayMs ?? 1000,
      ),
    );
  }
  return applied;
}

/** Runs `fn` with a KubeClient for a kubeconfig (a file or loaded), closing its connections after. */
export async function withClient<T>(
  kubeconfig: string | KubeConfig,
  fn: (client: KubeClient) => Promise<T>,
  opts: KubeClientOptions = {},
): Promise<T> {
  let kc = kubeconfig;
  if (typeof kc === 'string') {
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfig as string);
  }
  const client = new KubeClient(kc, opts);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
