// The model stand-in (model-standin.ts) as its own process, as the end-to-end tests run it for pods:
// over HTTPS with a certificate of a test CA, optionally inside another network namespace (prefix).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { createAuthority } from '../../../src/certs/authority.js';
import { logged, NodeProcess } from '../cluster/node-process.js';
import type { Turn } from './model-script.js';
import type { RecordedRequest } from './model-standin.js';

export interface ModelStandinProcess {
  /** https://127.0.0.1:{port} (ANTHROPIC_BASE_URL) */
  base: string;
  /** The CA of its certificate (NODE_EXTRA_CA_CERTS for the agent CLI). */
  caFile: string;
  /** Every request so far, as the stand-in recorded it (read from its journal: callable while blocked). */
  requests(): RecordedRequest[];
}

export async function modelStandinProcess(
  t: Test,
  dir: string,
  { script, apiKey, prefix = [] }: { script: Turn[]; apiKey: string; prefix?: string[] },
): Promise<ModelStandinProcess> {
  const ca = await createAuthority('model-standin-test-ca');
  const serving = await ca.issueServing({ commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'] });
  const file = (name: string, content: string) => {
    writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  const journal = file('model-requests.jsonl', '');
  const server = new NodeProcess(
    path.join(import.meta.dirname, 'model-standin.ts'),
    [],
    {
      MODEL_SCRIPT: JSON.stringify(script),
      MODEL_API_KEY: apiKey,
      CERT_FILE: file('model.crt', serving.certPem),
      KEY_FILE: file('model.key', serving.keyPem),
      MODEL_JOURNAL: journal,
    },
    prefix,
  );
  t.teardown(() => server.kill('SIGTERM'));
  const listening = await server.waitForLog(logged('listening'), 'listening', 60_000);
  return {
    base: `https://127.0.0.1:${listening.port}`,
    caFile: file('model-ca.crt', ca.certPem),
    requests: () =>
      readFileSync(journal, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedRequest),
  };
}
