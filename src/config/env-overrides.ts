// The seeds' environment variables (003 "Configuration": SERVER_HOST, JOB_IMAGE, …) read as overrides
// of the controller config file, so that a deployment written for the seeds' controller keeps its
// settings. Precedence (docs/seed-compatibility.md, "Environment variables"): the variable, then the
// file, then the schema's default; a flag beside its variable is refused (src/app/listeners.ts).
// Applied to the file's value before it is
// validated, at every load (start and each hot reload), so a variable keeps winning over an edited file.
import { isPlainObject, asObject as obj } from '../util/index.js';
import { error, type Finding } from '../validation/index.js';

/** The process's environment, or the variables a test sets. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;
type Value = Record<string, unknown>;

const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PRIORITIES = ['high', 'standard', 'low'] as const;

/** Each variable: the config field it overrides (for the docs and the errors) and how. */
interface Override {
  field: string;
  /** The rule a value must meet, or undefined when it does. */
  problem(value: string): string | undefined;
  apply(config: Value, value: string): Value;
}

/** Every agent profile's resources for every priority, with `kind.name` (requests.memory…) set. */
const agentResource =
  (kind: 'requests' | 'limits', name: 'cpu' | 'memory') =>
  (config: Value, value: string): Value => ({
    ...config,
    agents: Object.fromEntries(
      Object.entries(obj(config.agents)).map(([agent, profile]) => {
        const resources = obj(obj(profile).resources);
        const byPriority = Object.fromEntries(
          PRIORITIES.map((p) => {
            const current = obj(resources[p]);
            return [p, { ...current, [kind]: { ...obj(current[kind]), [name]: value } }];
          }),
        );
        return [agent, { ...obj(profile), resources: byPriority }];
      }),
    ),
  });

const quantity = (v: string) =>
  QUANTITY.test(v) ? undefined : 'must be a Kubernetes quantity (e.g. 500m, 2Gi)';

/** host:port of api.bindAddress, one part replaced; "0" (the API off) has no part to keep. */
function bindAddress(config: Value, part: { host?: string; port?: string }): Value {
  const api = obj(config.api);
  const current = typeof api.bindAddress === 'string' ? api.bindAddress : ':8443';
  // "0" (off) has neither part; a half-applied "host:" (SERVER_HOST before SERVER_PORT) has its host.
  const match = /^(.*):(\d*)$/.exec(current);
  const host = part.host ?? match?.[1] ?? '';
  const port = part.port ?? match?.[2] ?? '';
  return { ...config, api: { ...api, bindAddress: `${host}:${port}` } };
}

export const ENV_OVERRIDES: Readonly<Record<string, Override>> = {
  SERVER_HOST: {
    field: 'api.bindAddress (host)',
    problem: (v) => (/^[^\s/]{1,253}$/.test(v) ? undefined : 'must be a host name or address (e.g. 0.0.0.0)'),
    apply: (c, host) => bindAddress(c, { host }),
  },
  SERVER_PORT: {
    field: 'api.bindAddress (port)',
    problem: (v) =>
      /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : 'must be a port, 1 to 65535',
    apply: (c, port) => bindAddress(c, { port }),
  },
  KUBERNETES_NAMESPACE: {
    field: 'watchNamespace',
    problem: (v) =>
      LABEL.test(v) && v.length <= 63 ? undefined : 'must be a namespace name (a DNS-1123 label)',
    apply: (c, namespace) => ({ ...c, watchNamespace: namespace }),
  },
  JOB_IMAGE: {
    field: 'agents.*.image',
    problem: (v) => (/^\S{1,1024}$/.test(v) ? undefined : 'must be an image reference without spaces'),
    apply: (c, image) => ({
      ...c,
      agents: Object.fromEntries(Object.entries(obj(c.agents)).map(([n, p]) => [n, { ...obj(p), image }])),
    }),
  },
  JOB_TTL_SECONDS: {
    field: 'job.ttlSecondsAfterFinished',
    problem: (v) => (/^\d{1,9}$/.test(v) ? undefined : 'must be a whole number of seconds, 0 or more'),
    apply: (c, ttl) => ({ ...c, job: { ...obj(c.job), ttlSecondsAfterFinished: Number(ttl) } }),
  },
  JOB_MEMORY_REQUEST: {
    field: 'agents.*.resources.*.requests.memory',
    problem: quantity,
    apply: agentResource('requests', 'memory'),
  },
  JOB_MEMORY_LIMIT: {
    field: 'agents.*.resources.*.limits.memory',
    problem: quantity,
    apply: agentResource('limits', 'memory'),
  },
  JOB_CPU_REQUEST: {
    field: 'agents.*.resources.*.requests.cpu',
    problem: quantity,
    apply: agentResource('requests', 'cpu'),
  },
  JOB_CPU_LIMIT: {
    field: 'agents.*.resources.*.limits.cpu',
    problem: quantity,
    apply: agentResource('limits', 'cpu'),
  },
};

/** Conflicts with what the file says that the override cannot settle by itself. */
function conflicts(config: Value, env: ConfigEnv): Finding[] {
  const findings: Finding[] = [];
  if (
    env.KUBERNETES_NAMESPACE &&
    (config.watchNamespaces !== undefined || config.namespaceSelector !== undefined)
  )
    findings.push(
      error(
        'env',
        'KUBERNETES_NAMESPACE',
        'Forbidden: it sets watchNamespace, but the config file sets watchNamespaces or namespaceSelector (exclusive with it)',
      ),
    );
  const api = obj(config.api).bindAddress;
  if (api === '0' && (env.SERVER_HOST || env.SERVER_PORT) && !(env.SERVER_HOST && env.SERVER_PORT))
    findings.push(
      error(
        'env',
        env.SERVER_HOST ? 'SERVER_HOST' : 'SERVER_PORT',
        'Required value: the config file turns the REST API off (api.bindAddress "0"): set SERVER_HOST and SERVER_PORT together to turn it on',
      ),
    );
  return findings;
}

/**
 * The config value with the variables set in `env` applied, and the findings of those that are not
 * valid (each naming the variable and the rule). Unset and empty variables change nothing.
 */
export function withEnvOverrides(value: unknown, env: ConfigEnv): { value: unknown; findings: Finding[] } {
  if (!isPlainObject(value)) return { value, findings: [] };
  const set = Object.keys(ENV_OVERRIDES).filter((name) => env[name]);
  const findings = set.flatMap((name) => {
    const problem = ENV_OVERRIDES[name]?.problem(env[name] as string);
    return problem ? [error('env', name, `Invalid value: ${JSON.stringify(env[name])}: ${problem}`)] : [];
  });
  findings.push(...conflicts(value, env));
  if (findings.length) return { value, findings };
  let config: Value = value;
  for (const name of set) config = (ENV_OVERRIDES[name] as Override).apply(config, env[name] as string);
  return { value: config, findings };
}
