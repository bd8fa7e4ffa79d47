// A key of a Secret read for a check: present, or why not. The value is only looked at, never returned
// whole, so no finding can carry a credential.
import { appKeyData } from '../github/index.js';
import { isForbidden, isNotFound, resourcePath, SECRETS } from '../runtime/index.js';
import type { DoctorContext } from './check.js';

export type SecretKeyState =
  | { state: 'present'; value: string }
  | { state: 'no-secret' | 'no-key' | 'unreadable' };

export async function secretKey(
  ctx: DoctorContext,
  namespace: string,
  name: string,
  key: string,
  /** The seeds' name for the same value, read when `key` is absent (an App's: SEED_APP_KEYS). */
  seedKey = key,
): Promise<SecretKeyState> {
  let secret: { data?: Record<string, string> };
  try {
    secret = await ctx.client.request('GET', resourcePath(SECRETS, namespace, name));
  } catch (err) {
    if (isNotFound(err)) return { state: 'no-secret' };
    if (isForbidden(err)) return { state: 'unreadable' };
    throw err;
  }
  const data = appKeyData(secret.data, key, seedKey);
  const value = data === undefined ? '' : Buffer.from(data, 'base64').toString('utf8').trim();
  return value ? { state: 'present', value } : { state: 'no-key' };
}

/** The words for a missing key, naming the Secret and key (never a value). */
export const absence = (state: SecretKeyState['state'], namespace: string, name: string, key: string) =>
  state === 'no-secret'
    ? `the Secret ${namespace}/${name} does not exist`
    : state === 'no-key'
      ? `the Secret ${namespace}/${name} has no key ${key} (or it is empty)`
      : `the Secret ${namespace}/${name} cannot be read by the user running doctor`;
