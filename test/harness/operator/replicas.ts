// Manager replicas as the Deployment in config/default starts them, run as OS processes on this host:
// the container's args and env read from the rendered manifests, with only the values that cannot be
// shared on one host (ports, file paths, the pod name) replaced.
import { join } from 'node:path';
import type { KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { logged, NodeProcess } from '../cluster/node-process.js';
import { type Container, deploymentSpec } from '../deploy/pod-spec.js';

export interface PodTemplate {
  namespace: string;
  container: Container;
}

/** The manager container of the Deployment `name` among `objects`. */
export function managerTemplate(objects: KubeObject[], name = 'orchestrator'): PodTemplate {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === name);
  if (!deployment) throw new Error(`no Deployment ${name} in the manifests`);
  const container = deploymentSpec(deployment).template.spec.containers[0];
  if (!container) throw new Error(`the Deployment ${name} has no container`);
  return { namespace: deployment.metadata?.namespace ?? 'default', container };
}

/** `--flag=value` arguments by flag name (every one of the Deployment's args has that shape). */
export function flagValues(args: string[]): Map<string, string> {
  return new Map(
    args.map((arg) => {
      const match = /^(--[a-z-]+)=(.*)$/.exec(arg);
      if (!match) throw new Error(`argument "${arg}" is not --flag=value`);
      return [match[1] as string, match[2] as string];
    }),
  );
}

/** The container's env as a process env: values as given, downward-API fields from `pod`. */
export function containerEnv(
  container: Container,
  pod: { name: string; namespace: string },
): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace };
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    const value = field === undefined ? e.value : fields[field];
    if (value === undefined) throw new Error(`env ${e.name}: cannot resolve ${JSON.stringify(e)}`);
    env[e.name] = value;
  }
  return env;
}

export interface Replica {
  pod: string;
  process: NodeProcess;
  webhookPort: number;
  metricsPort: number;
  probesPort: number;
  /** Whether a Lease holder identity is this replica's (`{POD_NAME}_{suffix}`). */
  holds(holderIdentity: string | undefined): boolean;
  kill(): Promise<void>;
}

/** Starts `orchestrator run` (from dist/) with `args` and `env`; resolves when it serves. */
export async function startReplica(
  pod: string,
  args: string[],
  env: Record<string, string>,
): Promise<Replica> {
  const proc = new NodeProcess(join(packageRoot(), 'bin', 'orchestrator.js'), ['run', ...args], env);
  const ready = await proc.waitForLog(logged('orchestrator ready'), 'orchestrator ready');
  const started = await proc.waitForLog(logged('manager started'), 'manager started');
  return {
    pod,
    process: proc,
    webhookPort: Number(ready.webhookPort),
    metricsPort: Number(started.metricsPort),
    probesPort: Number(started.probesPort),
    holds: (holder) => holder?.startsWith(`${pod}_`) === true,
    kill: async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}
