// The run reconcilers' part of `orchestrator run` (src/controllers): their informers and controllers
// handed to the manager, which runs them on the Lease holder; the budgets' standings their caches keep,
// which the REST API serves on every replica.
import type { BudgetReports } from '../api/index.js';
import { namespaceScope } from '../config/index.js';
import { objectSeal, runControllers } from '../controllers/index.js';
import { signingKey } from '../gateway/index.js';
import type { Manager } from '../runtime/index.js';
import type { ModelGateway } from './gateway.js';
import type { GithubApps } from './github-apps.js';
import type { Connected } from './run-context.js';

export async function addRunControllers(
  proc: Connected,
  manager: Manager,
  gateway: ModelGateway | undefined,
  github: GithubApps,
): Promise<BudgetReports> {
  const { opts, client, registry, logger } = proc;
  const { config, templates } = proc.inputs;
  // The informers' scope is fixed when they start: a changed scope takes a restart.
  const scope = namespaceScope(config.current());
  logger.info({ scope }, 'reconciling runs in these namespaces');
  // The seal of what the reconcilers make takes the gateway's signing key, loaded (or made) here
  // whether or not the model gateway is on (decision 0069).
  const key = await signingKey(client, opts.namespace, config.current().gateway.signingKey);
  const runs = runControllers({
    client,
    registry,
    scope,
    seal: objectSeal(key),
    ...(gateway?.model ? { gateway: { ledgerNamespace: opts.namespace } } : {}),
    ...(github.pullRequestComments ? { pullRequestComments: github.pullRequestComments } : {}),
    ...(github.taskMarkers ? { taskMarkers: github.taskMarkers } : {}),
    logger: logger.child({ component: 'controllers' }),
    config: () => config.current(),
    templates: () => templates.current(),
  });
  for (const informer of runs.informers) manager.addInformer(informer);
  for (const controller of runs.controllers) manager.addController(controller);
  return runs.budgets;
}
