// The agent container's own environment: the controller config's job.env and the run's own variables
// (CodeRun spec.env, spec.envFromSecrets); the operator's (the model's credential, the proxy, the Docker
// daemon's address, the run's trace, the agent's own telemetry) are the Job's features' (features/).
// No GitHub credential: those are the prepare and publish containers'
// (github-credentials.ts, docs/security.md "Phases and their credentials"). Admission
// refuses a run variable with a reserved name (src/admission/rules/environment.ts); a run stored
// without the webhooks loses such a variable here, so the operator's always win and every name
// appears once in the pod.

import {
  type ControllerConfig,
  configEnvAllowed,
  type EnvFromSecret,
  isReservedEnv,
} from '../../api/index.js';
import type { EnvVar } from './env-var.js';

/** The spec fields some kinds have (CodeRun); absent on the others. */
export interface RunEnvSpec {
  env?: Record<string, string>;
  envFromSecrets?: EnvFromSecret[];
}

const fromSecret = (name: string, secret: string, key: string): EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/**
 * The run's variables: values by name (sorted: a map has no order once the apiserver stored it), then
 * Secret keys in list order; reserved names left out. A name in both (admission refuses it) is kept
 * once, from the Secret, where Kubernetes would take the last.
 */
export function runEnv(spec: RunEnvSpec): EnvVar[] {
  const byName = new Map<string, EnvVar>();
  const values = Object.entries(spec.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of values) byName.set(name, { name, value });
  for (const e of spec.envFromSecrets ?? []) {
    byName.delete(e.name);
    byName.set(e.name, fromSecret(e.name, e.secretName, e.secretKey));
  }
  return [...byName.values()].filter((e) => !isReservedEnv(e.name));
}

/**
 * The agent container's own env: the config's job.env, then the run's (which wins a name); the
 * operator's follow, from the Job's features (features/). Reserved names never come from these two
 * (refused at load and admission).
 */
export function agentEnv(spec: RunEnvSpec, config: ControllerConfig): EnvVar[] {
  const own = runEnv(spec);
  const named = new Set(own.map((e) => e.name));
  const configured = Object.entries(config.job.env ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([name]) => configEnvAllowed(name, config) && !named.has(name))
    .map(([name, value]) => ({ name, value }));
  return [...configured, ...own];
}
