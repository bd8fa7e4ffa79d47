// A Job as the run controllers cache it: its metadata (stripForCache's), its status, and of its spec
// only the workspace volume, which is all they read of one (the Job's state, its owner and failure
// annotation, the workspace whose slot it holds: capacity/holder-index.ts). A whole Job of ours is
// mostly its pod template (containers, environment, mounts, security contexts): about 6 KB of JSON and
// several times that as cached objects, per attempt, for as long as the Job exists. The controller-
// runtime peer caches Jobs whole; an object cached whole that is read for a few fields is the cost the
// reconcile benchmark's memory figure showed (docs/decisions/0008-job-cache-stripped.md).
import { type KubeObject, stripForCache } from '../runtime/index.js';
import { workspaceVolume } from './capacity/index.js';

export function jobForCache(job: KubeObject): KubeObject {
  const stripped = stripForCache(job);
  const { apiVersion, kind, metadata, status } = stripped;
  const workspace = workspaceVolume(stripped);
  return {
    apiVersion,
    kind,
    ...(metadata ? { metadata } : {}),
    spec: workspace ? { template: { spec: { volumes: [workspace] } } } : {},
    ...(status ? { status } : {}),
  };
}
