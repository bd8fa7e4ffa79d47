// GitHub signs each delivery with HMAC-SHA256 of the raw body under the webhook's secret
// (X-Hub-Signature-256: sha256=<hex>). The body is hashed while it streams in, under the current
// secret and the previous one (so GitHub's setting can be rotated without refusing the deliveries
// signed in between), and compared in constant time once it has all arrived: the body is never
// parsed, nor held a second time as text, before the signature matches (docs/security.md). This is
// node:crypto's createHmac and timingSafeEqual rather than @octokit/webhooks-methods, whose verify
// takes the whole payload as one string (it cannot hash a stream); the tests sign with it, so the two
// agree on the format.
import { createHmac, type Hmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const FORM = /^sha256=[0-9a-f]{64}$/;

/** A signature being checked against a body that arrives in chunks. */
export interface SignatureCheck {
  update(chunk: Buffer): void;
  /** After the last chunk: undefined when the signature matches under one of the secrets; else why not. */
  problem(): string | undefined;
}

/** Why `header` can sign nothing (checked before the body is read), or the check to feed the body. */
export function signatureCheck(
  header: string | undefined,
  secrets: readonly string[],
): SignatureCheck | string {
  if (header === undefined || header === '') return 'no X-Hub-Signature-256 header';
  if (!FORM.test(header)) return 'X-Hub-Signature-256 is not sha256= and 64 lower-case hex digits';
  const expected = Buffer.from(header.slice('sha256='.length), 'hex');
  const hmacs: Hmac[] = secrets.filter((s) => s !== '').map((s) => createHmac('sha256', s));
  let bytes = 0;
  return {
    update(chunk) {
      bytes += chunk.length;
      for (const h of hmacs) h.update(chunk);
    },
    problem() {
      // Every secret is compared, matched or not: the time taken says nothing about which one matched.
      let matched = false;
      for (const h of hmacs) if (timingSafeEqual(h.digest(), expected)) matched = true;
      // An empty body is signed by nobody we trust.
      if (!matched || bytes === 0)
        return 'the signature does not match the body under the configured secret(s)';
      return undefined;
    },
  };
}
