// A remediation run is created by the manager for whoever sent the GitHub event, who has no
// Kubernetes identity to check: so it may make its pod use only what the run it continues made its
// pod use, which that run's submitter was checked for at admission (docs/security.md). The webhook
// does not ask RBAC about the manager's runs (src/admission/reference-review.ts): this is the check.

import { referencesToCheck, specOf } from '../admission/index.js';
import type { CodeRun, ControllerConfig } from '../api/index.js';

/** Why `run` may not be created (it names what `previous` did not, by the reference table), or undefined. */
export function referencesBeyondPrevious(
  run: CodeRun,
  previous: CodeRun,
  config: ControllerConfig,
): string | undefined {
  const kind = 'CodeRun';
  const extra = referencesToCheck(
    { kind, spec: specOf(run), config, namespace: run.metadata?.namespace ?? '' },
    { kind, spec: specOf(previous), config, namespace: previous.metadata?.namespace ?? '' },
  );
  if (extra.length === 0) return undefined;
  const named = extra.map((c) => `${c.path}: ${c.reference.resource} "${c.name}"`).join(', ');
  return `the remediation run would use what ${previous.metadata?.name ?? 'the run it continues'} did not (${named}); a GitHub event may only continue a run with what its submitter was allowed`;
}
