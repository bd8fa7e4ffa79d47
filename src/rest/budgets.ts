// The team budgets over the REST API (docs/rest-api.md "Budgets", docs/economics.md): each budget's
// standing and its spend by UTC day, from this replica's caches. A namespace's budgets are shown to a
// caller RBAC allows to list its runs of some kind: each of those runs already tells them, once a
// budget holds it, the budget's spend and limit. Every budget, to one allowed to list runs of some kind
// in every namespace.
import type { Context } from 'koa';
import { type BudgetReport, type BudgetReports, GROUP, RUN_KIND_NAMES, runResource } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import type { ApiState } from './middleware.js';
import { statusError } from './status.js';

const PLURALS = RUN_KIND_NAMES.map((kind) => runResource(kind).plural);

/** Throws 403 unless RBAC allows the caller `list` on some kind of run in `namespace` ('' for all). */
async function mayListRuns(reviewer: AccessReviewer, ctx: Context, namespace: string): Promise<void> {
  const { user } = ctx.state as ApiState;
  for (const resource of PLURALS) {
    const decision = await reviewer.authorize(user, {
      resource: { verb: 'list', group: GROUP, resource, namespace },
    });
    if (decision.allowed) return;
  }
  const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  throw statusError(
    403,
    `User "${user.username}" cannot list resource "${PLURALS.join('", "')}" (any of them) in API group "${GROUP}" ${where}: a budget is shown to those who may list the runs it covers`,
  );
}

/** The budgets covering `namespace` (every budget when undefined), once the caller may see them. */
export async function serveBudgets(
  ctx: Context,
  reviewer: AccessReviewer,
  budgets: BudgetReports,
  namespace: string | undefined,
  now: Date,
): Promise<void> {
  await mayListRuns(reviewer, ctx, namespace ?? '');
  // Before its caches have listed the cluster, a replica would say a spent budget has spent less.
  if (!budgets.synced())
    throw statusError(503, "the budgets' spend is still being read from the cluster: retry shortly", {
      retryAfterSeconds: 2,
    });
  const items: BudgetReport[] = budgets.reports(namespace, now);
  ctx.body = { items };
}
