// Placement and isolation of the agent's pod: the scheduling fields from config, profile and run
// (src/api/pod-template.ts, docs/design.md §7.1).
import { runPodTemplate } from '../../../api/index.js';
import type { JobFeature } from './feature.js';

export const placement: JobFeature = (_base, { kind, run, profile }, { config }) => {
  const podSpec = runPodTemplate(kind, run.spec, config, profile);
  return Object.keys(podSpec).length > 0 ? { podSpec } : {};
};
