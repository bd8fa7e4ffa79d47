// A Secret created as a user creates one (`kubectl create secret generic`), for the suites that
// give their runs and tools the Secrets they name.
import { type KubeClient, resourcePath, SECRETS } from '../../../src/runtime/index.js';

/** Secret `name` in `namespace` holding `data` (as stringData). */
export async function createSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  await client.request('POST', resourcePath(SECRETS, namespace), {
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: data },
  });
}
