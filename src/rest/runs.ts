// What the REST API does with runs, through the apiserver as the manager (the caller was authorised
// for the same verb with a SubjectAccessReview): create after the admission pipeline run in process
// (the same defaulting and validation code, so errors name the same fields before anything is sent),
// get, list, retry. The run records its caller in the submitted-by annotation.
import { admitOffline, judgeReferences, referencesToCheck, specOf } from '../admission/index.js';
import {
  ANNOTATIONS,
  API_VERSION,
  attemptField,
  type ControllerConfig,
  GROUP,
  type RunKindName,
  runResource,
} from '../api/index.js';
import type { AccessReviewer, UserInfo } from '../auth/index.js';
import { cancelRun, defaultGenerateName, NOT_RETRYABLE, type Retried, retryRun } from '../runs/index.js';
import { type ApiRequester, type KubeObject, type Query, resourcePath } from '../runtime/index.js';
import { isPlainObject } from '../util/index.js';
import { showValue } from '../validation/index.js';
import { failure, forbidden, invalid, StatusError, statusError } from './status.js';

export interface RunAccess {
  /** The manager's client. */
  client: ApiRequester;
  config: () => ControllerConfig;
  /** Asks RBAC about the caller (SubjectAccessReviews, cached). */
  reviewer: AccessReviewer;
}

/** The limit on each apiserver call of one request. */
export interface CallLimit {
  timeoutMs: number;
}

/** Deeper than any run (the schemas nest ~10 levels), shallow enough for recursive code to handle. */
export const MAX_BODY_DEPTH = 64;

/** 400 for a body nested deeper than MAX_BODY_DEPTH (checked without recursion: it may be 10,000 deep). */
export function checkDepth(body: unknown): void {
  const stack: [unknown, number][] = [[body, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_BODY_DEPTH)
      throw statusError(400, `the body is nested deeper than ${MAX_BODY_DEPTH} levels`);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
}

/** 400 for metadata the apiserver would refuse as malformed (checked here: code after this reads it). */
function checkMetadata(metadata: Record<string, unknown>): void {
  for (const key of ['name', 'generateName', 'namespace'])
    if (metadata[key] !== undefined && typeof metadata[key] !== 'string')
      throw statusError(400, `metadata.${key}: must be a string, not ${showValue(metadata[key])}`);
  for (const key of ['labels', 'annotations']) {
    const map = metadata[key];
    if (map === undefined) continue;
    if (!isPlainObject(map) || !Object.values(map).every((v) => typeof v === 'string'))
      throw statusError(400, `metadata.${key}: must be a map of strings`);
  }
}

/** The body as the run to create in `namespace`: apiVersion and kind filled in, names checked. */
export function runToCreate(kind: RunKindName, namespace: string, body: unknown, user: UserInfo): KubeObject {
  if (!isPlainObject(body)) throw statusError(400, `the body must be a JSON object (a ${kind})`);
  if (body.apiVersion !== undefined && body.apiVersion !== API_VERSION)
    throw statusError(
      400,
      `apiVersion: must be ${API_VERSION} (or absent), not ${showValue(body.apiVersion)}`,
    );
  if (body.kind !== undefined && body.kind !== kind)
    throw statusError(400, `kind: this endpoint creates a ${kind}, not ${showValue(body.kind)}`);
  const given = body.metadata ?? {};
  if (!isPlainObject(given)) throw statusError(400, 'metadata: must be an object');
  checkMetadata(given);
  if (given.namespace !== undefined && given.namespace !== namespace)
    throw statusError(
      400,
      `metadata.namespace: "${String(given.namespace)}" does not match the namespace of the request ("${namespace}")`,
    );
  const annotations = isPlainObject(given.annotations) ? given.annotations : {};
  const metadata: Record<string, unknown> = {
    ...given,
    namespace,
    annotations: { ...annotations, [ANNOTATIONS.submittedBy]: user.username },
  };
  if (metadata.name === undefined && metadata.generateName === undefined)
    metadata.generateName = defaultGenerateName(kind, isPlainObject(body.spec) ? body.spec : {});
  return { ...body, apiVersion: API_VERSION, kind, metadata } as KubeObject;
}

/** The admission pipeline in process: 422 with every finding, as the webhook would deny it; else the run as admitted. */
export function admit(kind: RunKindName, run: KubeObject, config: ControllerConfig): Record<string, unknown> {
  const result = admitOffline(kind, run as Record<string, unknown>, config);
  const errors = result.findings.filter((f) => f.severity === 'error');
  if (errors.length) throw invalid(kind, runName(run), errors);
  return result.admitted;
}

const runName = (run: KubeObject) => String(run.metadata?.name ?? run.metadata?.generateName ?? '');

/**
 * What the admitted run makes its pod use, asked of RBAC for the caller (the webhook trusts the
 * manager's runs, so this is where the caller is checked): 403 with the webhook's message, 503 when
 * RBAC could not be asked.
 */
export async function checkReferences(
  access: RunAccess,
  kind: RunKindName,
  run: KubeObject,
  admitted: Record<string, unknown>,
  user: UserInfo,
): Promise<void> {
  const namespace = run.metadata?.namespace ?? '';
  const checks = referencesToCheck({ kind, spec: specOf(admitted), config: access.config(), namespace });
  if (checks.length === 0) return;
  const findings = await judgeReferences(access.reviewer, user, namespace, checks);
  if (findings.length) throw forbidden(kind, runName(run), findings);
}

export async function createRun(
  access: RunAccess,
  kind: RunKindName,
  namespace: string,
  body: unknown,
  user: UserInfo,
  limit: CallLimit,
): Promise<KubeObject> {
  checkDepth(body);
  const run = runToCreate(kind, namespace, body, user);
  const admitted = admit(kind, run, access.config());
  await checkReferences(access, kind, run, admitted, user);
  return access.client.request<KubeObject>('POST', resourcePath(runResource(kind), namespace), {
    body: run,
    timeoutMs: limit.timeoutMs,
  });
}

export const getRun = (
  access: RunAccess,
  kind: RunKindName,
  namespace: string,
  name: string,
  limit: CallLimit,
) =>
  access.client.request<KubeObject>('GET', resourcePath(runResource(kind), namespace, name), {
    timeoutMs: limit.timeoutMs,
  });

/** The query parameters of a list passed on to the apiserver (paging and selectors). */
export const LIST_PARAMETERS = ['labelSelector', 'fieldSelector', 'limit', 'continue'] as const;

export function listRuns(
  access: RunAccess,
  kind: RunKindName,
  namespace: string | undefined,
  query: Record<string, unknown>,
  limit: CallLimit,
): Promise<KubeObject> {
  const passed: Query = {};
  for (const key of LIST_PARAMETERS) if (typeof query[key] === 'string') passed[key] = query[key] as string;
  return access.client.request<KubeObject>('GET', resourcePath(runResource(kind), namespace), {
    query: passed,
    timeoutMs: limit.timeoutMs,
  });
}

export function retry(
  access: RunAccess,
  kind: RunKindName,
  namespace: string,
  name: string,
  limit: CallLimit,
  mayRetry: (run: KubeObject) => Promise<void> | undefined,
): Promise<Retried> {
  if (!attemptField(kind)) throw statusError(400, NOT_RETRYABLE);
  return retryRun(access.client, kind, namespace, name, limit, mayRetry);
}

/** Sets spec.cancelled (src/runs/cancel.ts): the run as patched, or as it was when already cancelled; 409 when it has finished. */
export async function cancel(
  access: RunAccess,
  kind: RunKindName,
  namespace: string,
  name: string,
  limit: CallLimit,
  mayCancel: (run: KubeObject) => Promise<void> | undefined,
): Promise<KubeObject> {
  const done = await cancelRun(access.client, kind, namespace, name, limit, mayCancel);
  if (done.outcome === 'finished') {
    const refusal = failure(409, `${kind}.${GROUP} "${name}" cannot be cancelled: ${done.reason}`, {
      name,
      group: GROUP,
      kind,
    });
    // The apiserver's reason for a conflict with the object's state, not AlreadyExists (create's).
    throw new StatusError({ ...refusal, reason: 'Conflict' });
  }
  return done.run;
}

/**
 * Deletes the run as `kubectl delete` would: its finalizer lets the operator clean up first, so the
 * answer is the run marked for deletion (or the apiserver's Status once it is gone).
 */
export const deleteRun = (
  access: RunAccess,
  kind: RunKindName,
  namespace: string,
  name: string,
  limit: CallLimit,
) =>
  access.client.request<KubeObject>('DELETE', resourcePath(runResource(kind), namespace, name), {
    timeoutMs: limit.timeoutMs,
  });
