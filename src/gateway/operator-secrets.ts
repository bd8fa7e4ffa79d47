// The gateway's two secrets, both in the operator's namespace and read by the manager alone
// (docs/security.md "The model gateway"): the platform's key for the model API, re-read every minute
// so a rotated key is used without a restart, and the key that signs the attempts' tokens, which the
// replicas share and the first manager to start makes when it is missing.
import { randomBytes } from 'node:crypto';
import {
  type ApiRequester,
  isConflict,
  isNotFound,
  type KubeObject,
  resourcePath,
  SECRETS,
} from '../runtime/index.js';

export interface SecretKeyRef {
  name: string;
  key: string;
}

const secretKeyValue = (secret: KubeObject, key: string): string | undefined => {
  const data = (secret as { data?: Record<string, string> }).data?.[key];
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8').trim() || undefined;
};

/** A Secret key's value, read when first asked and again once `refreshMs` passed; undefined when absent. */
export function secretValue(
  client: ApiRequester,
  namespace: string,
  ref: () => SecretKeyRef,
  refreshMs = 60_000,
  now: () => number = Date.now,
): () => Promise<string | undefined> {
  let cached: { value: string | undefined; atMs: number } | undefined;
  return async () => {
    if (cached && now() - cached.atMs < refreshMs) return cached.value;
    const { name, key } = ref();
    try {
      const secret = await client.request('GET', resourcePath(SECRETS, namespace, name));
      cached = { value: secretKeyValue(secret, key), atMs: now() };
    } catch (err) {
      if (!isNotFound(err)) throw err;
      cached = { value: undefined, atMs: now() };
    }
    return cached.value;
  };
}

/** The signing key: read, or made with 32 random bytes when missing (the replicas race; one wins). */
export async function signingKey(
  client: ApiRequester,
  namespace: string,
  ref: SecretKeyRef,
): Promise<Buffer> {
  const path = resourcePath(SECRETS, namespace, ref.name);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const value = secretKeyValue(await client.request('GET', path), ref.key);
      if (value) return Buffer.from(value, 'base64');
      throw new Error(`the Secret ${namespace}/${ref.name} has no key ${ref.key} (gateway.signingKey)`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ref.name, namespace, labels: { 'app.kubernetes.io/name': 'orchestrator' } },
      type: 'Opaque',
      data: { [ref.key]: Buffer.from(randomBytes(32).toString('base64')).toString('base64') },
    };
    try {
      await client.request('POST', resourcePath(SECRETS, namespace), { body: secret, discardAnswer: true });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
  throw new Error(`the Secret ${namespace}/${ref.name} could not be read or made (gateway.signingKey)`);
}
