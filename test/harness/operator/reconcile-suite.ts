// The set-up the suites that run the controllers share (test/integration/reconcile-*.test.ts, the
// CLI's, tracing, …): the test cluster with crds/ installed, once per file; per test, a namespace of
// its own (with the agent sandbox, deleted after the test), the run controllers started in it
// (startOperator, stopped after the test) and clients of the cluster's admin (closed after the test).
import type { ControllerConfig } from '../../../src/api/index.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { KubeClient, type KubeClientOptions } from '../../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../cluster/cluster.js';
import { ensureCrds } from '../deploy/crds.js';
import { type Operator, type OperatorOptions, startOperator, testConfig } from './operator.js';

interface TestScope {
  teardown(fn: () => unknown): void;
  name: string;
}

export interface ReconcileSuite {
  /** The test cluster (testCluster), its CRDs installed (ensureCrds). */
  cluster: Cluster;
  /** A fresh namespace for `t` (testNamespace), with these labels. */
  namespace(t: TestScope, labels?: Record<string, string>): Promise<string>;
  /**
   * A fresh namespace for `t`, then the run controllers started in it with `config` (default
   * testConfig()) and `options` (startOperator's).
   */
  start(
    t: TestScope,
    config?: ControllerConfig,
    options?: OperatorOptions & {
      /** The namespace's labels. Default none. */
      namespaceLabels?: Record<string, string>;
    },
  ): Promise<Operator & { namespace: string }>;
  /** A client of the cluster's admin, closed after `t`. */
  admin(t: TestScope, options?: KubeClientOptions): KubeClient;
}

/** The suite's cluster, ready for runs: call once at the top of a test file. */
export async function reconcileSuite(): Promise<ReconcileSuite> {
  const cluster = await testCluster();
  await ensureCrds(cluster);
  const namespace = (t: TestScope, labels?: Record<string, string>) => testNamespace(t, cluster, labels);
  return {
    cluster,
    namespace,
    async start(t, config = testConfig(), { namespaceLabels, ...options } = {}) {
      const ns = await namespace(t, namespaceLabels);
      return { namespace: ns, ...(await startOperator(t, cluster, ns, config, options)) };
    },
    admin(t, options) {
      const client = new KubeClient(kubeConfig(cluster), options);
      t.teardown(() => client.close());
      return client;
    },
  };
}
