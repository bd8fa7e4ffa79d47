// The GitHub Apps' ids and private keys, read from Secrets in the operator's own namespace (named by
// the controller config's secrets.githubAppId / githubAppPrivateKey, `{githubApp}` replaced by the App
// in lower case). Read with GET by name (the manager may get only those names: config/rbac) and kept
// for a minute, so a rotated key is picked up soon without a read per token. The key never leaves
// this process: it signs the App's JWTs here and is in no log, Event or status.
// The design it implements: docs/design.md §4.8.
import { type ApiRequester, isForbidden, isNotFound, resourcePath, SECRETS } from '../../runtime/index.js';
import { TokenFailure } from './failure.js';

export interface SecretKeyName {
  name: string;
  key: string;
}

export interface AppCredentials {
  appId: string;
  privateKey: string;
}

/**
 * The keys the seeds' Secrets hold the App's id and private key under (their ExternalSecret, seed 002),
 * read when the configured key is absent: a Secret made for the seeds' controller works as it is.
 */
export const SEED_APP_KEYS = { id: 'GITHUB_APP_ID', privateKey: 'GITHUB_APP_PRIVATE_KEY' } as const;

/** A Secret's value (base64) under `key`, else under the seeds' name for it; undefined when neither. */
export const appKeyData = (data: Record<string, string> | undefined, key: string, seedKey: string) =>
  data?.[key] || data?.[seedKey] || undefined;

/** How long a key read stays (a rotated key applies within this). */
export const KEY_CACHE_MS = 60_000;

/** A configured Secret name for `app`: `{githubApp}` replaced by the App in lower case. */
export const appSecretName = (template: string, app: string) =>
  template.replaceAll('{githubApp}', app.toLowerCase());

export class AppKeys {
  private readonly cached = new Map<string, { at: number; value: AppCredentials }>();

  constructor(
    private readonly client: ApiRequester,
    /** The operator's namespace, where the keys are. */
    private readonly namespace: string,
    private readonly refs: () => { id?: SecretKeyName; key?: SecretKeyName },
    private readonly now: () => number = Date.now,
  ) {}

  /** The App's id and key; a TokenFailure (GithubAppKeyMissing) says which Secret or key is missing. */
  async of(app: string, signal?: AbortSignal): Promise<AppCredentials> {
    const { id, key } = this.refs();
    if (!id || !key)
      throw new TokenFailure(
        'GithubAppKeyMissing',
        `GitHub App ${app}: the controller config names no secrets.githubAppId and secrets.githubAppPrivateKey`,
      );
    const cacheKey = `${app}\0${id.name}\0${id.key}\0${key.name}\0${key.key}`;
    const hit = this.cached.get(cacheKey);
    if (hit && this.now() - hit.at < KEY_CACHE_MS) return hit.value;
    const appId = await this.read(app, appSecretName(id.name, app), [id.key, SEED_APP_KEYS.id], signal);
    const privateKey = await this.read(
      app,
      appSecretName(key.name, app),
      [key.key, SEED_APP_KEYS.privateKey],
      signal,
    );
    const value = { appId: appId.trim(), privateKey };
    this.cached.set(cacheKey, { at: this.now(), value });
    return value;
  }

  private async read(
    app: string,
    name: string,
    [key, seedKey]: [string, string],
    signal?: AbortSignal,
  ): Promise<string> {
    const where = `Secret ${this.namespace}/${name}`;
    let secret: { data?: Record<string, string> };
    try {
      secret = await this.client.request('GET', resourcePath(SECRETS, this.namespace, name), {
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (isNotFound(err) || isForbidden(err))
        throw new TokenFailure(
          'GithubAppKeyMissing',
          `GitHub App ${app}: the ${where} ${isNotFound(err) ? 'does not exist' : 'is not readable by the manager (config/rbac names the Secrets it may read)'}`,
        );
      throw err;
    }
    const value = appKeyData(secret.data, key, seedKey);
    if (!value)
      throw new TokenFailure(
        'GithubAppKeyMissing',
        `GitHub App ${app}: the ${where} has no key ${key} (nor the seeds' ${seedKey})`,
      );
    return Buffer.from(value, 'base64').toString('utf8');
  }
}
