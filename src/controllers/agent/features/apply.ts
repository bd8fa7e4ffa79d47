// The base Job with its features' additions, applied in the list's order: each part of the Job (a
// container's variables and mounts, the pod's labels, fields, sidecars and volumes) gets every
// feature's additions after the base's, so where a feature adds follows from the list alone.
import { AGENT_CONTAINER, PREPARE_CONTAINER, PUBLISH_CONTAINER } from '../../../naming/index.js';
import type { AgentJob, BaseContainer, JobAdditions, Phase } from './feature.js';

/** Each phase's container by name. */
const PHASES: Readonly<Record<string, Phase>> = {
  [PREPARE_CONTAINER]: 'prepare',
  [AGENT_CONTAINER]: 'agent',
  [PUBLISH_CONTAINER]: 'publish',
};

function extended(container: BaseContainer, all: readonly JobAdditions[]): BaseContainer {
  const phase = PHASES[container.name];
  if (!phase) return container;
  return {
    ...container,
    env: [...container.env, ...all.flatMap((a) => a.env?.[phase] ?? [])],
    volumeMounts: [...container.volumeMounts, ...all.flatMap((a) => a.mounts?.[phase] ?? [])],
  };
}

export function withAdditions(base: AgentJob, all: readonly JobAdditions[]): AgentJob {
  const template = base.spec.template;
  const { securityContext, initContainers, containers, volumes, ...identity } = template.spec;
  const sidecars = all.flatMap((a) => a.sidecars ?? []);
  const [prepare, ...rest] = initContainers.map((c) => extended(c, all));
  const labels = Object.assign({}, template.metadata.labels, ...all.map((a) => a.podLabels));
  return {
    ...base,
    spec: {
      ...base.spec,
      template: {
        ...template,
        metadata: { ...template.metadata, labels },
        spec: {
          ...identity,
          ...Object.assign({}, ...all.map((a) => a.podSpec)),
          securityContext,
          // Sidecars start after prepare and run beside the agent.
          initContainers: [...(prepare ? [prepare] : []), ...sidecars.map((s) => s.container), ...rest],
          containers: containers.map((c) => extended(c, all)),
          volumes: [...volumes, ...sidecars.map((s) => s.volume), ...all.flatMap((a) => a.volumes ?? [])],
        },
      },
    },
  };
}
