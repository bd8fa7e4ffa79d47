// Installing the orchestrator CRDs: server-side apply (idempotent, so several installers may race),
// then wait until the apiserver serves them to every kind of client, so nothing after install sees a gap.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_KIND_NAMES, runResource } from '../api/index.js';
import {
  ApiError,
  type ApiRequester,
  type KubeObject,
  RequestTimeoutError,
  type ResourceType,
  resourcePath,
} from '../runtime/index.js';
import { packageRoot } from '../util/index.js';
import { applyObjects } from './apply.js';
import { parseManifests } from './kubectl.js';

const CRDS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
};

/** The CRDs in `dir`: its *.yaml files (crds/Kustomization is kustomize's entry, not an object). */
export function crdManifests(dir = join(packageRoot(), 'crds')): KubeObject[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseManifests(readFileSync(join(dir, file), 'utf8'), join(dir, file)));
}

export interface InstallCrdsOptions {
  /** Limit on the whole install, the waits included. Default 120 s. */
  timeoutMs?: number;
  /** Limit on each request (cut to what is left of timeoutMs). Default 30 s. */
  requestTimeoutMs?: number;
  /** Pause between polls. Default 250 ms. */
  pollMs?: number;
}

interface Deadline {
  /** Time left for one request: its own limit, or less when the whole install must end sooner. */
  requestMs(): number;
  left(): number;
  pollMs: number;
}

/** Applies crds/, then resolves once every run kind is served; rejects naming what it still awaited. */
export async function installCrds(client: ApiRequester, opts: InstallCrdsOptions = {}): Promise<void> {
  const end = Date.now() + (opts.timeoutMs ?? 120_000);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const deadline: Deadline = {
    left: () => end - Date.now(),
    requestMs: () => Math.max(1, Math.min(requestTimeoutMs, end - Date.now())),
    pollMs: opts.pollMs ?? 250,
  };
  const crds = crdManifests();
  await applyObjects(client, crds, { timeoutMs: deadline.requestMs() });
  const names = crds.map((crd) => crd.metadata?.name as string);
  await waitUntil(`the CRDs ${names.join(', ')} to be Established`, deadline, (timeoutMs) =>
    notEstablished(client, names, timeoutMs),
  );
  await waitUntil('the runs to be listed and published in OpenAPI v3', deadline, (timeoutMs) =>
    notServed(client, timeoutMs),
  );
}

/**
 * Polls `check` until it reports nothing missing. Errors that mean "not yet" (a resource not served
 * yet, "429 storage is (re)initializing", a busy or restarting apiserver) are polled past; any other
 * answer (403, 422, …) is final. At the deadline the error names what was awaited and what was missing.
 */
async function waitUntil(
  what: string,
  deadline: Deadline,
  check: (timeoutMs: number) => Promise<string | undefined>,
): Promise<void> {
  let missing = 'no answer yet';
  for (;;) {
    if (deadline.left() <= 0) throw new Error(`timed out waiting for ${what}: ${missing}`);
    try {
      const stillMissing = await check(deadline.requestMs());
      if (stillMissing === undefined) return;
      missing = stillMissing;
    } catch (err) {
      if (!notYet(err)) throw err;
      missing = (err as Error).message;
    }
    await sleep(Math.max(0, Math.min(deadline.pollMs, deadline.left())));
  }
}

function notYet(err: unknown): boolean {
  if (err instanceof ApiError) return [404, 429, 503].includes(err.status);
  // No answer at all: the request timed out or the connection failed (ECONNREFUSED, ECONNRESET, …).
  return err instanceof RequestTimeoutError || typeof (err as NodeJS.ErrnoException).code === 'string';
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

async function notEstablished(
  client: ApiRequester,
  names: string[],
  timeoutMs: number,
): Promise<string | undefined> {
  const pending: string[] = [];
  for (const name of names) {
    const crd = await client.request<{ status?: { conditions?: Condition[] } }>(
      'GET',
      resourcePath(CRDS, undefined, name),
      { timeoutMs },
    );
    const conditions = crd.status?.conditions ?? [];
    // Names another CRD holds are never accepted: waiting longer would not help.
    const rejected = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (rejected)
      throw new Error(`CRD ${name}: names not accepted (${rejected.reason}): ${rejected.message}`);
    if (!conditions.some((c) => c.type === 'Established' && c.status === 'True')) pending.push(name);
  }
  return pending.length ? `${pending.join(', ')} not Established yet` : undefined;
}

interface OpenApiSchema {
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

/**
 * Established means the resources are served, but the first requests can still meet "429 storage is
 * (re)initializing", and the OpenAPI document (`kubectl explain`, client-side validation) is
 * published a moment later: both a LIST and the kinds' schemas in OpenAPI v3 must be there.
 */
async function notServed(client: ApiRequester, timeoutMs: number): Promise<string | undefined> {
  for (const kind of RUN_KIND_NAMES)
    await client.request('GET', resourcePath(runResource(kind)), { query: { limit: 1 }, timeoutMs });
  const index = await client.request<{ paths?: Record<string, unknown> }>('GET', '/openapi/v3', {
    timeoutMs,
  });
  const byGroupVersion = new Map<string, string[]>();
  for (const kind of RUN_KIND_NAMES) {
    const { group, version } = runResource(kind);
    const path = `apis/${group}/${version}`;
    byGroupVersion.set(path, [...(byGroupVersion.get(path) ?? []), kind]);
  }
  for (const [path, kinds] of byGroupVersion) {
    if (!index.paths || !(path in index.paths)) return `/openapi/v3 does not list ${path} yet`;
    const doc = await client.request<{ components?: { schemas?: Record<string, OpenApiSchema> } }>(
      'GET',
      `/openapi/v3/${path}`,
      { timeoutMs },
    );
    const published = new Set(
      Object.values(doc.components?.schemas ?? {}).flatMap((schema) =>
        (schema['x-kubernetes-group-version-kind'] ?? []).map(
          (gvk) => `apis/${gvk.group}/${gvk.version}/${gvk.kind}`,
        ),
      ),
    );
    const absent = kinds.filter((kind) => !published.has(`${path}/${kind}`));
    if (absent.length) return `/openapi/v3/${path} has no schema for ${absent.join(', ')} yet`;
  }
  return undefined;
}
