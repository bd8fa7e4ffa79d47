// GitHub signs each delivery with HMAC-SHA256 of the raw body under the webhook's secret
// (X-Hub-Signature-256: sha256=<hex>). The compare is @octokit/webhooks-methods' (constant time);
// besides the current secret the previous one is tried, so GitHub's setting can be rotated without
// refusing the deliveries signed in between.
import { verifyWithFallback } from '@octokit/webhooks-methods';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const FORM = /^sha256=[0-9a-f]{64}$/;

/** Undefined when `header` is a valid signature of `payload` under one of `secrets`; else why not. */
export async function signatureProblem(
  payload: string,
  header: string | undefined,
  secrets: readonly string[],
): Promise<string | undefined> {
  if (header === undefined || header === '') return 'no X-Hub-Signature-256 header';
  if (!FORM.test(header)) return 'X-Hub-Signature-256 is not sha256= and 64 lower-case hex digits';
  const [current, ...previous] = secrets;
  // The library refuses empty inputs by throwing; an empty body is signed by nobody we trust.
  if (current === undefined || payload === '') return 'the signature does not match the body';
  const ok = await verifyWithFallback(current, payload, header, previous);
  return ok === true ? undefined : 'the signature does not match the body under the configured secret(s)';
}
