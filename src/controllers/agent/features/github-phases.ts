// The GitHub credentials of the pod's phases that speak to GitHub (../github-credentials.ts): the
// checkout's read-only one in prepare, the publisher's write one; the agent's container gets none.
import { phaseCredentials } from '../github-credentials.js';
import type { JobFeature } from './feature.js';

export const githubPhases: JobFeature = (_base, { auth }, { config }) => {
  const read = phaseCredentials(auth, config, 'read');
  const write = phaseCredentials(auth, config, 'write');
  // Both phases may mount one volume: the pod declares it once.
  const volumes = [
    ...read.volumes,
    ...write.volumes.filter((v) => !read.volumes.some((r) => r.name === v.name)),
  ];
  return {
    env: { prepare: read.env, publish: write.env },
    mounts: { prepare: read.mounts, publish: write.mounts },
    volumes,
  };
};
