// The agent sandbox of a namespace where runs live (config/agents: the agents' ServiceAccounts, the
// Role of agents with clusterAccess, the agent NetworkPolicies), as `kubectl apply -k config/agents
// -n {namespace}` would send it. The install, local mode and the test harness all apply this one
// directory, so none of them keeps a list of its own (docs/design.md §1.2, agent sandbox).
import { join } from 'node:path';
import type { KubeObject } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';
import { renderKustomization } from './kubectl.js';

/** The directory, relative to the package root. */
export const AGENT_SANDBOX_DIR = 'config/agents';

/** config/agents rendered (kustomize talks to no apiserver); its objects name no namespace. */
export function renderAgentSandbox(kubectl: string[]): KubeObject[] {
  return renderKustomization(kubectl, join(packageRoot(), AGENT_SANDBOX_DIR));
}

/** The objects put in `namespace`, as `kubectl apply -n` does with objects that name none. */
export const inNamespace = (objects: KubeObject[], namespace: string): KubeObject[] =>
  objects.map((obj) => ({ ...obj, metadata: { ...obj.metadata, namespace } }));

/** The agent sandbox of `namespace`. */
export const agentSandboxObjects = (kubectl: string[], namespace: string): KubeObject[] =>
  inNamespace(renderAgentSandbox(kubectl), namespace);
