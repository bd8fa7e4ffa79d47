// The Docker daemon of a CodeRun with spec.enableDocker: a native sidecar (an init container with
// restartPolicy Always, Kubernetes ≥ 1.29) that starts before the agent, runs beside it, and is stopped
// when the agent ends, so the Job still finishes with the agent. It must run privileged (dockerd
// mounts, creates namespaces and cgroups): allowed only by the controller config's job.docker.allowed,
// which admission checks (src/admission/rules/environment.ts) and rendering checks again.
// The design it implements: docs/design.md §1.2 (Docker sidecar).
import type { ControllerConfig } from '../../api/index.js';
import { DOCKER_CONTAINER, WORKSPACE_ROOT } from '../../naming/index.js';

/** Loopback only: the pod's containers share the network namespace, nothing outside reaches it. */
export const DOCKER_HOST = 'tcp://127.0.0.1:2375';
/** The sidecar's name: an init container whose exit says nothing about the attempt (agent-pod.ts). */
const STORAGE_VOLUME = 'docker-storage';

export interface DockerSidecar {
  /** The sidecar, to go after the init containers that must finish before it starts. */
  container: Record<string, unknown>;
  volume: Record<string, unknown>;
  /** The agent's DOCKER_HOST. */
  dockerHost: string;
}

/** The sidecar of a run that asks for Docker under a config that allows it; otherwise none. */
export function dockerSidecar(
  enableDocker: boolean | undefined,
  config: ControllerConfig,
  workspaceVolume: string,
): DockerSidecar | undefined {
  if (enableDocker !== true || !config.job.docker.allowed) return undefined;
  return {
    container: {
      name: DOCKER_CONTAINER,
      image: config.job.docker.image,
      restartPolicy: 'Always',
      // The image's entry point with `dockerd` first takes these flags as they are (no TLS defaults):
      // the Unix socket for the probe, loopback TCP for the agent (--tls=false: dockerd ≥ 27 refuses
      // plain TCP unless told).
      args: ['dockerd', '--host=unix:///var/run/docker.sock', `--host=${DOCKER_HOST}`, '--tls=false'],
      // The agent starts once the daemon answers.
      startupProbe: { exec: { command: ['docker', 'info'] }, periodSeconds: 1, failureThreshold: 120 },
      securityContext: { privileged: true, runAsNonRoot: false, runAsUser: 0 },
      volumeMounts: [
        { name: STORAGE_VOLUME, mountPath: '/var/lib/docker' },
        // The workspace at the agent's path, so `docker run -v $PWD:…` mounts what the agent sees.
        { name: workspaceVolume, mountPath: WORKSPACE_ROOT },
      ],
    },
    volume: { name: STORAGE_VOLUME, emptyDir: {} },
    dockerHost: DOCKER_HOST,
  };
}
