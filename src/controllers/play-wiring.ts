// The plays in runControllers (run-controllers.ts): the stages of Argo Workflows (CodeRuns they created)
// counted, traced and said on the pull request.
import type { CodeRun } from '../api/index.js';
import type { Cache, Controller } from '../runtime/index.js';
import { playStagesController } from './play/index.js';
import type { RunControllersOptions } from './run-controllers-options.js';
import type { SharedCaches } from './shared-caches.js';

/** The stages' controller, with an informer of CodeRuns; none without one. */
export function playControllers(opts: RunControllersOptions, shared: SharedCaches): Controller[] {
  const codeRuns = shared.kinds.find((k) => k.kind === 'CodeRun')?.runs as Cache<CodeRun> | undefined;
  if (!codeRuns) return [];
  return [
    playStagesController({
      client: opts.client,
      registry: opts.registry,
      logger: opts.logger,
      config: opts.config,
      runs: codeRuns,
      ...(opts.pullRequestComments ? { reports: opts.pullRequestComments } : {}),
      ...(opts.taskMarkers ? { markers: opts.taskMarkers } : {}),
    }),
  ];
}
