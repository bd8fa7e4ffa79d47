import { type Cluster, type StartOptions, startControlPlane } from './control-plane.js';
import { startEnvtest } from './envtest.js';

export { buildLocalImage, DEBIAN_BASE, type ImageBuildOptions } from './agent-image.js';
export { cacheRoot, controlPlaneBinary, kwokBinary } from './binary.js';
export type { Cluster, StartOptions } from './control-plane.js';
export { startCommand, startControlPlane } from './control-plane.js';
export { REAL_NODE_PACKAGES, realNodeMissing } from './real-node-host.js';
export type { LocalImage, RealNodeImages } from './real-node-images.js';

/** Which control plane a test run or `orchestrator cluster up` uses, decided from the environment. */
export type ClusterSource = 'existing' | 'envtest' | 'local';

export function clusterSource(env: NodeJS.ProcessEnv = process.env): ClusterSource {
  if (env.USE_EXISTING_CLUSTER === 'true') return 'existing';
  if (env.KUBEBUILDER_ASSETS) return 'envtest';
  return 'local';
}

/** A cluster that is already running, named by its kubeconfig: never stopped by us. */
export function existingCluster(kubeconfig: string): Cluster {
  return {
    kubeconfig,
    server: '',
    kubectl: ['kubectl', `--kubeconfig=${kubeconfig}`],
    stop: async () => {},
  };
}

/**
 * A cluster to run against: the one in KUBECONFIG when USE_EXISTING_CLUSTER=true (never stopped by
 * us), envtest binaries when KUBEBUILDER_ASSETS is set, else the control plane built from cluster/control-plane.
 */
export async function obtainCluster(
  opts: StartOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Cluster> {
  switch (clusterSource(env)) {
    case 'existing': {
      const kubeconfig = env.KUBECONFIG;
      if (!kubeconfig)
        throw new Error('USE_EXISTING_CLUSTER=true needs KUBECONFIG to name the cluster to use');
      return existingCluster(kubeconfig);
    }
    case 'envtest':
      return startEnvtest(env.KUBEBUILDER_ASSETS as string, opts);
    case 'local':
      return startControlPlane(opts);
  }
}
