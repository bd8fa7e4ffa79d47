// The AdmissionReview wire format (admission.k8s.io/v1, and v1beta1 which has the same shape): parsing
// a request strictly enough that malformed input is a 400, and building the response in the version
// that was asked.

import type { AdmissionRequest, AdmissionResult } from '../admission/index.js';
import { isPlainObject } from '../util/index.js';
import { showValue, truncate } from '../validation/index.js';
import { userInfoProblem } from './user-info.js';

/**
 * The longest denial message sent: a backstop over the handlers' own bounds (findings are capped and
 * cut), because a message can quote user input (a uid, a kind, a name) of megabytes.
 */
export const MAX_MESSAGE_CHARS = 128 * 1024;

export const SUPPORTED_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'];

export class MalformedReview extends Error {
  override name = 'MalformedReview';
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** Checks the envelope and the request fields we rely on; anything else is a MalformedReview. */
export function parseReview(body: unknown): { apiVersion: string; request: AdmissionRequest } {
  if (!isPlainObject(body)) throw new MalformedReview('the body must be a JSON object (an AdmissionReview)');
  const { apiVersion, kind, request } = body;
  if (kind !== 'AdmissionReview')
    throw new MalformedReview(`kind must be AdmissionReview, not ${showValue(kind)}`);
  if (typeof apiVersion !== 'string' || !SUPPORTED_VERSIONS.includes(apiVersion)) {
    throw new MalformedReview(`apiVersion must be one of ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  if (!isPlainObject(request)) throw new MalformedReview('request is missing');
  if (typeof request.uid !== 'string' || request.uid === '')
    throw new MalformedReview('request.uid must be a non-empty string');
  if (typeof request.operation !== 'string' || !OPERATIONS.has(request.operation)) {
    throw new MalformedReview('request.operation must be CREATE, UPDATE, DELETE or CONNECT');
  }
  const gvk = request.kind;
  if (
    !isPlainObject(gvk) ||
    typeof gvk.kind !== 'string' ||
    typeof gvk.version !== 'string' ||
    typeof gvk.group !== 'string'
  ) {
    throw new MalformedReview('request.kind must be {group, version, kind}');
  }
  for (const field of ['object', 'oldObject'] as const) {
    const v = request[field];
    if (v !== undefined && v !== null && !isPlainObject(v))
      throw new MalformedReview(`request.${field} must be an object`);
  }
  for (const field of ['name', 'namespace', 'subResource'] as const) {
    const v = request[field];
    if (v !== undefined && typeof v !== 'string')
      throw new MalformedReview(`request.${field} must be a string`);
  }
  if (request.dryRun !== undefined && typeof request.dryRun !== 'boolean')
    throw new MalformedReview('request.dryRun must be a boolean');
  // Before anything is asked of RBAC about this requester (user-info.ts).
  const userInfo = userInfoProblem(request.userInfo);
  if (userInfo) throw new MalformedReview(userInfo);
  return { apiVersion, request: request as unknown as AdmissionRequest };
}

/** @internal Exported for its unit test; no other module needs it. */
export function reviewResponse(
  apiVersion: string,
  uid: string,
  result: AdmissionResult,
): Record<string, unknown> {
  const { review, patch } = responseParts(apiVersion, uid, result);
  if (patch !== undefined) (review.response as Record<string, unknown>).patch = patch;
  return review;
}

/**
 * `reviewResponse` as the JSON text sent. The base64 patch, most of a mutating answer, is spliced in
 * rather than stringified: base64 needs no escaping, and JSON.stringify would scan it character by
 * character on every review.
 */
export function reviewResponseJson(apiVersion: string, uid: string, result: AdmissionResult): string {
  const { review, patch } = responseParts(apiVersion, uid, result);
  const text = JSON.stringify(review);
  // The review ends with its response object: `...}}`; the patch goes last in the response.
  return patch === undefined ? text : `${text.slice(0, -2)},"patch":"${patch}"}}`;
}

/** The answer without its patch, and the patch in base64 (when there is one). */
function responseParts(
  apiVersion: string,
  uid: string,
  result: AdmissionResult,
): { review: Record<string, unknown>; patch?: string } {
  const response: Record<string, unknown> = { uid, allowed: result.allowed };
  if (result.warnings?.length) response.warnings = result.warnings;
  let patch: string | undefined;
  if (result.allowed) {
    if (result.patch?.length) {
      response.patchType = 'JSONPatch';
      patch = Buffer.from(JSON.stringify(result.patch)).toString('base64');
    }
  } else {
    response.status = {
      code: result.code ?? 403,
      reason: result.reason ?? (result.code === 500 ? 'InternalError' : 'Forbidden'),
      message: truncate(result.message, MAX_MESSAGE_CHARS),
    };
  }
  return { review: { apiVersion, kind: 'AdmissionReview', response }, patch };
}
