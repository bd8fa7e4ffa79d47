// The credential of one attempt at the gateway (docs/security.md "The model gateway"): what it was
// minted for (the run object, the attempt, its Job by name and uid, its spend limit), when it expires
// (the attempt's deadline) and a random nonce, signed with the gateway's key (HMAC-SHA256), so that
// every replica checks one without a lookup, before it spends an API call or reads a body. A token
// alone is not enough: the Job of that uid must still be running (job-authenticator.ts), so it is
// refused once the attempt ends, whatever is made later under the Job's name.
import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import type { GatewayAttempt } from './handler.js';

const PREFIX = 'orcgw1';

/** What a token states: the attempt, and the spend limit its run had when the attempt started. */
export interface TokenClaims extends GatewayAttempt {
  /** spec.limits.maxBudgetUsd in micro-dollars; undefined: the run has none. */
  maxBudgetMicros?: number | undefined;
  /** The attempt's Job's uid, as the apiserver reports it for the pod's owner. */
  jobUid: string;
  /** When the token stops being accepted (ms since the epoch): the attempt's deadline. */
  expiresAt: number;
}

interface Payload {
  n: string;
  k: string;
  r: string;
  u: string;
  a: number;
  j: string;
  ju: string;
  e: number;
  b?: number;
  x: string;
}

// An HMAC keyed by a Buffer prepares the key anew each time (several times the cost of the hash of a
// token): the key object is made once per key (a rotated key is another Buffer).
const keyObjects = new WeakMap<Buffer, KeyObject>();

function mac(key: Buffer, payload: string): Buffer {
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = createSecretKey(key);
    keyObjects.set(key, keyObject);
  }
  return createHmac('sha256', keyObject).update(`${PREFIX}.${payload}`).digest();
}

/** A fresh token for `claims`. */
export function mintAttemptToken(key: Buffer, claims: TokenClaims): string {
  const payload: Payload = {
    n: claims.namespace,
    k: claims.kind,
    r: claims.run,
    u: claims.uid,
    a: claims.attempt,
    j: claims.job,
    ju: claims.jobUid,
    e: claims.expiresAt,
    ...(claims.maxBudgetMicros === undefined ? {} : { b: claims.maxBudgetMicros }),
    x: randomBytes(24).toString('base64url'),
  };
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${PREFIX}.${encoded}.${mac(key, encoded).toString('base64url')}`;
}

/** The claims of a token this key signed that has not expired at `nowMs`; undefined for anything else. */
export function verifyAttemptToken(key: Buffer, token: string, nowMs: number): TokenClaims | undefined {
  const [prefix, encoded, signature, extra] = token.split('.');
  if (prefix !== PREFIX || !encoded || !signature || extra !== undefined) return undefined;
  const expected = mac(key, encoded);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const p = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Payload;
    // A token of an earlier version (no run or Job uid, no expiry: it was a value of the Job's spec)
    // is not one of this gateway's.
    if (typeof p.u !== 'string' || p.u === '' || typeof p.ju !== 'string' || p.ju === '') return undefined;
    if (typeof p.e !== 'number' || !(p.e > nowMs)) return undefined;
    return {
      namespace: p.n,
      kind: p.k,
      run: p.r,
      uid: p.u,
      attempt: p.a,
      job: p.j,
      jobUid: p.ju,
      expiresAt: p.e,
      ...(p.b === undefined ? {} : { maxBudgetMicros: p.b }),
    };
  } catch {
    return undefined;
  }
}
