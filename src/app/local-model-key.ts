// Local mode's platform model key: the model gateway is on by default, and it forwards the agents'
// calls with the key of the Secret `gateway.upstream.apiKey` names, in the operator's namespace. A
// user of `npm start` gives it by a file or a variable; local mode stores it there as an install's
// admin would (docs/local-cluster.md "The model gateway and egress"). No run namespace gets it.
import { readFileSync } from 'node:fs';
import type { ControllerConfig } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';

/** The file variable wins over the key itself: a file keeps the key out of the environment. */
export const MODEL_KEY_FILE_ENV = 'ORCHESTRATOR_MODEL_API_KEY_FILE';
export const MODEL_KEY_ENV = 'ANTHROPIC_API_KEY';

/** Where the key comes from: named, never the key itself (RunOptions are logged). */
export type LocalModelKey = { file: string } | { env: typeof MODEL_KEY_ENV };

export function localModelKeySource(env: NodeJS.ProcessEnv): LocalModelKey | undefined {
  const file = env[MODEL_KEY_FILE_ENV];
  if (file) return { file };
  return env[MODEL_KEY_ENV] ? { env: MODEL_KEY_ENV } : undefined;
}

/** Where the key came from, for the banner. */
export const describeModelKey = (source: LocalModelKey): string =>
  'file' in source ? `the file ${source.file} (${MODEL_KEY_FILE_ENV})` : `$${source.env}`;

/** The key's value; an unreadable or empty one is an error naming its source. */
export function readModelKey(source: LocalModelKey, env: NodeJS.ProcessEnv = process.env): string {
  const value = 'file' in source ? readKeyFile(source.file) : (env[source.env] ?? '');
  if (!value.trim())
    throw new Error(`${'file' in source ? MODEL_KEY_FILE_ENV : source.env}: the model key is empty`);
  return value.trim();
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${MODEL_KEY_FILE_ENV}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The Secret the gateway reads the key from, in the operator's namespace. */
export function modelKeySecret(config: ControllerConfig, namespace: string, key: string): KubeObject {
  const ref = config.gateway.upstream.apiKey;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: ref.name, namespace, labels: { 'app.kubernetes.io/name': 'orchestrator' } },
    type: 'Opaque',
    stringData: { [ref.key]: key },
  };
}
