// The model gateway of an in-process operator whose config has it on, as the shipped config does: set
// up as an install has it, in an operator namespace of its own holding the platform's key Secret (the
// signing key is made by the gateway, as in a cluster), listening on loopback. The simulated agents
// call nothing; the suites that test calls through it start their own (gateway.ts, rbac.test.ts).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ControllerConfig } from '../../../src/api/index.js';
import { startModelGateway } from '../../../src/app/gateway.js';
import type { Cluster } from '../../../src/cluster/index.js';
import type { RunControllersOptions } from '../../../src/controllers/run-controllers-options.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../../src/http/connection-limits.js';
import { KubeClient, resourcePath, SECRETS } from '../../../src/runtime/index.js';
import { kubeConfig } from '../cluster/cluster.js';
import type { Scope } from '../util/scope.js';
import { REQUEST_LIMIT_MS } from '../util/wait.js';

type Teardown = Pick<Scope, 'teardown'>;

/** The platform's model key the harness puts in the operator's namespace (never reaches a pod). */
export const PLATFORM_TEST_KEY = 'sk-ant-harness-platform-key';

export async function platformGateway(
  t: Teardown,
  cluster: Cluster,
  config: () => ControllerConfig,
  logger: Logger,
  /** The operator's namespace, made by the test (default: one made here, and deleted with the test). */
  operatorNamespace?: string,
): Promise<NonNullable<RunControllersOptions['gateway']>> {
  // Its own client: the operator's may be one that injects faults.
  const client = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
  const namespace = operatorNamespace ?? `orchestrator-ops-${randomBytes(3).toString('hex')}`;
  if (!operatorNamespace)
    await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } });
  let close = async () => {};
  // One teardown, in this order: the gateway's last records, the namespace, the client they use.
  t.teardown(async () => {
    await close();
    if (!operatorNamespace) await client.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => {});
    client.close();
  });
  const key = config().gateway.upstream.apiKey;
  await client.request('POST', resourcePath(SECRETS, namespace), {
    body: { metadata: { name: key.name }, stringData: { [key.key]: PLATFORM_TEST_KEY } },
  });
  // The shipped bind address (:8090 on every interface) would collide between suites: any loopback port.
  const listening = () => {
    const c = config();
    return { ...c, gateway: { ...c.gateway, bindAddress: '127.0.0.1:0' } };
  };
  const gateway = await startModelGateway({
    client,
    config: { current: listening, close: () => {} },
    namespace,
    connections: DEFAULT_CONNECTION_LIMITS,
    logger,
  });
  if (!gateway?.model) throw new Error('the model gateway did not start');
  close = () => gateway.close();
  return { ledgerNamespace: namespace };
}
