// CodeRun spec.env and spec.envFromSecrets become the agent container's variables, spec.enableDocker
// a privileged sidecar, and spec.serviceAccountName the pod's identity: what the pod could not honour as asked is refused here, with the reason, rather
// than dropped or overridden later (src/controllers/agent/env.ts, docker-sidecar.ts).
import {
  dockerRefusal,
  envNameProblem,
  isReservedEnv,
  type RunKindName,
  serviceAccountRefusal,
} from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { field, type Rule } from './context.js';

const RULE = 'agent-env';

export const validAgentEnv: Rule<unknown> = ({ object }) => {
  const findings: Finding[] = [];
  const env = field(object, 'spec.env');
  const names = isPlainObject(env) ? Object.keys(env) : [];
  for (const name of names) {
    const problem = envNameProblem(name);
    if (problem)
      findings.push(
        error(RULE, `spec.env[${showValue(name)}]`, `Invalid value: ${showValue(name)}: ${problem}`),
      );
  }
  const fromSecrets = field(object, 'spec.envFromSecrets');
  const seen = new Map<string, number>();
  for (const [i, item] of (Array.isArray(fromSecrets) ? fromSecrets : []).entries()) {
    const name = isPlainObject(item) ? item.name : undefined;
    if (typeof name !== 'string') continue;
    const path = `spec.envFromSecrets[${i}].name`;
    const first = seen.get(name);
    // The schema has already judged the name's pattern; the reserved names are ours.
    if (isReservedEnv(name))
      findings.push(error(RULE, path, `Invalid value: ${showValue(name)}: ${envNameProblem(name)}`));
    else if (first !== undefined)
      findings.push(
        error(
          RULE,
          path,
          `Duplicate value: ${showValue(name)} (also spec.envFromSecrets[${first}]); a variable has one value`,
        ),
      );
    else if (names.includes(name))
      findings.push(
        error(
          RULE,
          path,
          `Duplicate value: ${showValue(name)} (also in spec.env); a variable has one value: drop one of them`,
        ),
      );
    if (first === undefined) seen.set(name, i);
  }
  return findings;
};

export const dockerAllowed: Rule<unknown> = ({ object, config }) => {
  if (field(object, 'spec.enableDocker') !== true) return [];
  const spec = field(object, 'spec');
  const refusal = dockerRefusal(config, isPlainObject(spec) ? spec : {});
  return refusal ? [error('docker', 'spec.enableDocker', `Forbidden: ${refusal}`)] : [];
};

/** A run of an agent with clusterAccess runs as that agent's ServiceAccount only (src/api/cluster-access.ts). */
export const agentServiceAccount =
  (kind: RunKindName): Rule<unknown> =>
  ({ object, config }) => {
    const spec = field(object, 'spec');
    if (!isPlainObject(spec)) return [];
    const refusal = serviceAccountRefusal(kind, spec, config);
    return refusal ? [error('cluster-access', 'spec.serviceAccountName', `Forbidden: ${refusal}`)] : [];
  };
