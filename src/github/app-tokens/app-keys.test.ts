// The Apps' keys as the operator reads them: under the config's keys, or under the seeds' names when
// those are absent, so that the seeds' ExternalSecret (config/samples/seed/external-secret.yaml) makes
// a Secret the operator reads unchanged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { loadDefaultConfig } from '../../config/load.js';
import type { ApiRequester } from '../../runtime/index.js';
import { packageRoot } from '../../util/package-root.js';
import { AppKeys, appSecretName } from './app-keys.js';
import { TokenFailure } from './failure.js';

const NAMESPACE = 'orchestrator-system';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Secrets by path, answered as the apiserver answers a GET (our ApiRequester, in memory). */
function secrets(byName: Record<string, Record<string, string>>): ApiRequester {
  return {
    request: async (method: string, path: string) => {
      const name = path.split('/').at(-1) ?? '';
      if (method !== 'GET' || !path.startsWith(`/api/v1/namespaces/${NAMESPACE}/secrets/`) || !byName[name])
        throw new Error(`unexpected ${method} ${path}`);
      return { data: byName[name] } as never;
    },
  } as ApiRequester;
}

const { githubAppId, githubAppPrivateKey } = loadDefaultConfig().secrets;
const refs = () => ({
  ...(githubAppId ? { id: githubAppId } : {}),
  ...(githubAppPrivateKey ? { key: githubAppPrivateKey } : {}),
});

t.test("the seeds' ExternalSecret makes the Secret the shipped config's names and keys find", async (t) => {
  const sample = parse(
    readFileSync(join(packageRoot(), 'config/samples/seed/external-secret.yaml'), 'utf8'),
  ) as { metadata: { name: string }; spec: { data: Array<{ secretKey: string }> } };
  t.equal(
    sample.metadata.name,
    appSecretName(String(githubAppId?.name), '5DLabs-Rex'),
    'named as the config names it',
  );
  const values: Record<string, string> = { GITHUB_APP_ID: '1724452', GITHUB_APP_PRIVATE_KEY: PEM };
  // The Secret the External Secrets Operator writes: the target is the ExternalSecret's name, a key per secretKey.
  const data = Object.fromEntries(sample.spec.data.map((d) => [d.secretKey, b64(values[d.secretKey] ?? '')]));
  const keys = new AppKeys(secrets({ [sample.metadata.name]: data }), NAMESPACE, refs);
  t.same(await keys.of('5DLabs-Rex'), { appId: '1724452', privateKey: PEM });
});

t.test("the config's keys come first; with neither the error names both", async (t) => {
  const both = {
    'app-id': b64('42'),
    'private-key': b64(PEM),
    GITHUB_APP_ID: b64('7'),
    GITHUB_APP_PRIVATE_KEY: b64('x'),
  };
  const keys = new AppKeys(secrets({ 'github-app-acme-rex': both }), NAMESPACE, refs);
  t.same(await keys.of('acme-rex'), { appId: '42', privateKey: PEM });
  const none = new AppKeys(secrets({ 'github-app-acme-rex': { other: b64('1') } }), NAMESPACE, refs);
  const err = await none.of('acme-rex').catch((e: unknown) => e);
  t.ok(err instanceof TokenFailure);
  t.match(
    (err as Error).message,
    `GitHub App acme-rex: the Secret ${NAMESPACE}/github-app-acme-rex has no key app-id (nor the seeds' GITHUB_APP_ID)`,
  );
});
