// What a feature of the agent's Job is: a function of the base Job (manifests.ts), the resolved run and
// the attempt that returns only what the feature adds. A feature that is off adds nothing, so the
// Job keeps no trace of it.
import type { ControllerConfig, ResolvedRun } from '../../../api/index.js';
import type { ObjectMeta } from '../../../runtime/index.js';
import type { EnvVar } from '../env-var.js';

type Obj = Record<string, unknown>;

/** The pod's containers a feature adds to, one per phase (templates/agent-shell/lib.sh `entry`). */
export type Phase = 'prepare' | 'agent' | 'publish';

/** A container of the base Job: its variables and mounts are where features add theirs. */
export interface BaseContainer extends Obj {
  name: string;
  env: EnvVar[];
  volumeMounts: Obj[];
}

/** The base Job: the shape every attempt has, before any feature. */
export interface AgentJob extends Obj {
  metadata: ObjectMeta & { name: string; labels: Record<string, string> };
  spec: Obj & {
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: Obj & {
        securityContext: Obj;
        /** Prepare, then the agent. */
        initContainers: BaseContainer[];
        /** The publisher. */
        containers: BaseContainer[];
        volumes: Obj[];
      };
    };
  };
}

/** What one feature adds to the Job; every part optional. */
export interface JobAdditions {
  /** Labels of the pod, after the base's. */
  podLabels?: Record<string, string>;
  /** Fields of the pod spec, after the pod's identity (placement). */
  podSpec?: Obj;
  /** Variables of each phase's container, after the base's and earlier features'. */
  env?: Partial<Record<Phase, EnvVar[]>>;
  /** Volume mounts of each phase's container, after the base's. */
  mounts?: Partial<Record<Phase, Obj[]>>;
  /** Containers that run beside the agent (started after prepare), each with its volume. */
  sidecars?: { container: Obj; volume: Obj }[];
  /** Volumes of the pod, after the sidecars'. */
  volumes?: Obj[];
}

/** The attempt a feature is built for. */
export interface FeatureContext {
  config: ControllerConfig;
  attempt: number;
}

export type JobFeature = (base: AgentJob, run: ResolvedRun, ctx: FeatureContext) => JobAdditions;
