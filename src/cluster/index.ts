// The local cluster, for development, tests and `orchestrator run` without one: the control plane built
// from this package's Go modules (cluster/), envtest binaries or an existing cluster; CRDs and manifests
// installed into it; the real node and its images (docs/local-cluster.md). Which cluster a caller gets is
// decided below the map (obtainCluster), from the environment.
// - agent-image.ts: the agent image (images/agent/Dockerfile) built for the real node as a user builds it.
// - operator-image.ts: the operator's image (Dockerfile) built the same way, from local stand-ins of its bases.
// - platform.ts: the CPU an image is for; another than the host's built under QEMU's emulation.
// - image-arch.ts: what a built image is for, read from it (config, its Node's ELF header, node --version,
//   the native code under a folder, a command's output).
// - agent-sandbox.ts: the agent sandbox of a namespace (config/agents), the one directory that the
//   install, local mode and the tests apply.
// - apply.ts: server-side apply through the product's API client, resources found by discovery.
// - binary.ts: the Go components of cluster/ built once per module hash and cached.
// - version-stamp.ts: the Kubernetes release a built binary reports, read from its module's go.mod.
// - build-priority.ts: the builds' niceness beside tests, lifted while a lane of tests waits on one.
// - process-tree.ts: a process and those it started, from /proc: their pids and the CPU they took.
// - image-prune.ts: the image cache keeps each repository's few most recently used images.
// - buildah.ts: buildah with its own storage and a time limit, shared by the image builders.
// - control-plane.ts: the built-in control plane (cluster/control-plane) started, its workloads maybe
//   later, and what any running cluster gives its users.
// - start-command.ts: its start command line for the chosen options, with only the binaries they run.
// - crds.ts: the CRDs installed, then waited for until every kind of client is served them.
// - envtest.ts: a cluster from envtest binaries (KUBEBUILDER_ASSETS), configured like the built-in one.
// - kubeconfig.ts: an admin kubeconfig for a cluster started here.
// - kubectl.ts: the two uses of kubectl left (install and uninstall, kustomize rendering).
// - lock.ts: a directory lock, so concurrent builds of one component wait for each other.
// - probe.ts: the apiserver's /readyz, asked while a cluster starts.
// - real-node-host.ts: what the host needs for the real node, checked first and named by Debian package.
// - real-node-images.ts: the real node's pause and test images, built because it has no registry.
import { type Cluster, startControlPlane } from './control-plane.js';
import { startEnvtest } from './envtest.js';
import type { StartOptions } from './start-command.js';

export { buildLocalImage, DEBIAN_BASE, type ImageBuildOptions } from './agent-image.js';
export {
  cacheRoot,
  controllersBinary,
  controlPlaneBinary,
  kubeRouterBinary,
  nodeBinary,
} from './binary.js';
export { setBuildsUrgent } from './build-priority.js';
export type { Cluster, LocalControlPlane, WorkloadsLater } from './control-plane.js';
export { startControlPlane } from './control-plane.js';
export { type ImageArchFacts, imageArchFacts, nativeCodeFor } from './image-arch.js';
export { buildOperatorImage, crossBuildArgs, dockerfileSources } from './operator-image.js';
export {
  ELF_MACHINE,
  EMULATION_PACKAGES,
  emulationProblem,
  type ImageArch,
  registerEmulation,
} from './platform.js';
export { REAL_NODE_PACKAGES, realNodeMissing, realNodeMissingPackages } from './real-node-host.js';
export type { LocalImage, RealNodeImages } from './real-node-images.js';
export type { StartOptions } from './start-command.js';
export { startCommand } from './start-command.js';

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
export { AGENT_SANDBOX_DIR, agentSandboxObjects } from './agent-sandbox.js';
export { applyObjects, withClient } from './apply.js';
export { installCrds } from './crds.js';
export { parseManifests, renderKustomization, runKubectl } from './kubectl.js';
