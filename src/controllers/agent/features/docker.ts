// The Docker daemon of a CodeRun with spec.enableDocker (../docker-sidecar.ts): its sidecar and storage,
// and the agent's DOCKER_HOST.
import { AGENT_ENV } from '../../../api/index.js';
import { WORKSPACE_VOLUME } from '../../../naming/index.js';
import { dockerSidecar } from '../docker-sidecar.js';
import type { JobFeature } from './feature.js';

export const docker: JobFeature = (_base, { run }, { config }) => {
  // CodeRun's field; the other kinds have none.
  const { enableDocker } = run.spec as { enableDocker?: boolean };
  const sidecar = dockerSidecar(enableDocker, config, WORKSPACE_VOLUME);
  if (!sidecar) return {};
  return {
    sidecars: [{ container: sidecar.container, volume: sidecar.volume }],
    env: { agent: [{ name: AGENT_ENV.dockerHost, value: sidecar.dockerHost }] },
  };
};
