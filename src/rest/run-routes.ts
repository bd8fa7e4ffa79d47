// The run routes: the PM endpoints (a TaskRun from a task payload, a DocsRun from a docs-generation
// request), and create / list / get / retry / cancel / delete, a run's log and Events, for every kind;
// who the caller is; the team budgets. Each asks RBAC for the verb the manager will then perform on the
// caller's behalf, in the namespace asked for; a retry or a cancel of another's run, for `retry` or
// `cancel` on it too.
import { METHODS } from 'node:http';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { controlAttributes, submitterOf } from '../admission/index.js';
import { type BudgetReports, GROUP, RUN_KIND_NAMES, type RunKindName, runResource } from '../api/index.js';
import type { ResourceAttributes } from '../auth/index.js';
import { readJsonBody, STRICT_ROUTES } from '../http/index.js';
import { type KubeObject, resourcePath } from '../runtime/index.js';
import { isPlainObject } from '../util/index.js';
import { showValue } from '../validation/index.js';
import { serveBudgets } from './budgets.js';
import { runEvents } from './events.js';
import { serveLog } from './logs.js';
import { type ApiState, authorize, sameOriginWrites } from './middleware.js';
import { ROUTES } from './paths.js';
import { cancel, createRun, deleteRun, getRun, listRuns, type RunAccess, retry } from './runs.js';
import { statusError } from './status.js';
import { isWatch, type RunStreams, serveWatch, type WatchLimits } from './watch.js';

export interface RunRoutesOptions extends RunAccess {
  /** Runs before every route: the caller's identity and rate limit. */
  authenticate: Middleware;
  /** The apiserver's watches, for `?watch=true`. */
  streams: RunStreams;
  watchLimits: WatchLimits;
  bodyLimitBytes: number;
  /** How long a client may take to send the body. */
  bodyTimeoutMs: number;
  /** The budgets' standings, from this process's caches. */
  budgets: BudgetReports;
  /** The time budgets are reported at. */
  now: () => Date;
}

const KINDS_BY_PLURAL = new Map<string, RunKindName>(RUN_KIND_NAMES.map((k) => [runResource(k).plural, k]));

function kindOf(plural: string): RunKindName {
  const kind = KINDS_BY_PLURAL.get(plural);
  if (!kind)
    throw statusError(
      404,
      `the server could not find the requested resource: "${plural.slice(0, 64)}" is none of ${[...KINDS_BY_PLURAL.keys()].join(', ')}`,
    );
  return kind;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function namespaceOf(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL.test(value))
    throw statusError(400, `${where}: ${showValue(value)} is not a namespace name (a DNS-1123 label)`);
  return value;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A run's name from the path: a DNS-1123 subdomain, so it cannot carry a selector's `,` or `=`. */
function nameOf(value: unknown): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value))
    throw statusError(400, `name: ${showValue(value)} is not a run's name (a DNS-1123 subdomain)`);
  return value;
}

const resource = (kind: RunKindName, verb: string, namespace: string, name?: string): ResourceAttributes => ({
  verb,
  group: GROUP,
  resource: runResource(kind).plural,
  namespace,
  ...(name ? { name } : {}),
});

export function runRoutes(opts: RunRoutesOptions): Router {
  // Every method Node parses counts as implemented: an unexpected one is a 405, never koa-router's 501.
  const router = new Router({ methods: [...METHODS], ...STRICT_ROUTES });
  const { reviewer } = opts;
  router.use(sameOriginWrites);
  router.use(opts.authenticate);
  const body = (ctx: Context) =>
    readJsonBody(ctx.req, { limitBytes: opts.bodyLimitBytes, timeoutMs: opts.bodyTimeoutMs });
  const state = (ctx: Context) => ctx.state as ApiState;

  const create = async (ctx: Context, kind: RunKindName, namespace: string, payload: unknown) => {
    await authorize(reviewer, ctx, { resource: resource(kind, 'create', namespace) });
    ctx.status = 201;
    ctx.body = await createRun(opts, kind, namespace, payload, state(ctx).user, state(ctx).limit);
  };
  /** The PM endpoints: the namespace is the payload's metadata.namespace, else ?namespace=, else default. */
  const fromPayload = (kind: RunKindName) => async (ctx: Context) => {
    const payload = await body(ctx);
    const metadata = isPlainObject(payload) && isPlainObject(payload.metadata) ? payload.metadata : {};
    const [value, where] =
      metadata.namespace !== undefined
        ? [metadata.namespace, 'metadata.namespace']
        : [ctx.query.namespace ?? 'default', 'the namespace parameter'];
    await create(ctx, kind, namespaceOf(value, where), payload);
  };

  // Who the token is, as the TokenReview said (the console shows it; `kubectl auth whoami` does the
  // same); registered before the all-namespaces list, whose `:plural` it would otherwise be.
  router.get(ROUTES.whoami, (ctx) => {
    const { username, groups = [] } = state(ctx).user;
    ctx.body = { username, groups };
  });
  // Before the run routes, whose `:plural` they would otherwise be.
  router.get(ROUTES.budgets, (ctx) => serveBudgets(ctx, reviewer, opts.budgets, undefined, opts.now()));
  router.get(ROUTES.namespaceBudgets, (ctx) =>
    serveBudgets(ctx, reviewer, opts.budgets, namespaceOf(ctx.params.namespace, 'namespace'), opts.now()),
  );
  router.post(ROUTES.pmTasks, fromPayload('TaskRun'));
  router.post(ROUTES.pmDocs, fromPayload('DocsRun'));
  router.post(ROUTES.collection, async (ctx) => {
    const kind = kindOf(ctx.params.plural ?? '');
    await create(ctx, kind, namespaceOf(ctx.params.namespace, 'namespace'), await body(ctx));
  });
  /** `?watch=true`: the runs' changes as server-sent events, for a caller RBAC allows `watch`. */
  const watch = async (ctx: Context, kind: RunKindName, namespace: string | undefined, name?: string) => {
    await authorize(reviewer, ctx, { resource: resource(kind, 'watch', namespace ?? '', name) });
    const path = resourcePath(runResource(kind), namespace);
    await serveWatch(ctx, opts.streams, opts.watchLimits, path, name, state(ctx).user.username);
  };
  router.get(ROUTES.collection, async (ctx) => {
    const kind = kindOf(ctx.params.plural ?? '');
    const namespace = namespaceOf(ctx.params.namespace, 'namespace');
    if (isWatch(ctx.query)) return watch(ctx, kind, namespace);
    await authorize(reviewer, ctx, { resource: resource(kind, 'list', namespace) });
    ctx.body = await listRuns(opts, kind, namespace, ctx.query, state(ctx).limit);
  });
  router.get(ROUTES.allNamespaces, async (ctx) => {
    const kind = kindOf(ctx.params.plural ?? '');
    if (isWatch(ctx.query)) return watch(ctx, kind, undefined);
    await authorize(reviewer, ctx, { resource: resource(kind, 'list', '') });
    ctx.body = await listRuns(opts, kind, undefined, ctx.query, state(ctx).limit);
  });
  router.get(ROUTES.item, async (ctx) => {
    if (isWatch(ctx.query)) {
      const kind = kindOf(ctx.params.plural ?? '');
      return watch(ctx, kind, namespaceOf(ctx.params.namespace, 'namespace'), nameOf(ctx.params.name));
    }
    const { kind, namespace, name } = await item(ctx, 'get');
    ctx.body = await getRun(opts, kind, namespace, name, state(ctx).limit);
  });
  /** The run of an item route, once RBAC allows the caller `verb` on it. */
  const item = async (ctx: Context, verb: string) => {
    const kind = kindOf(ctx.params.plural ?? '');
    const namespace = namespaceOf(ctx.params.namespace, 'namespace');
    const name = nameOf(ctx.params.name);
    await authorize(reviewer, ctx, { resource: resource(kind, verb, namespace, name) });
    return { kind, namespace, name };
  };
  // The manager's patch is exempt from the webhook's control review (run-controls.ts): another's run
  // is retried or cancelled only for a caller holding that verb on it, asked here.
  const mayControl =
    (
      ctx: Context,
      control: 'retry' | 'cancel',
      { kind, namespace, name }: Awaited<ReturnType<typeof item>>,
    ) =>
    (run: KubeObject) =>
      submitterOf(run) === state(ctx).user.username
        ? undefined
        : authorize(reviewer, ctx, { resource: controlAttributes(kind, control, namespace, name) });
  router.post(ROUTES.retry, async (ctx) => {
    const run = await item(ctx, 'patch');
    const { kind, namespace, name } = run;
    ctx.body = (
      await retry(opts, kind, namespace, name, state(ctx).limit, mayControl(ctx, 'retry', run))
    ).run;
  });
  router.post(ROUTES.cancel, async (ctx) => {
    const run = await item(ctx, 'patch');
    const { kind, namespace, name } = run;
    ctx.body = await cancel(opts, kind, namespace, name, state(ctx).limit, mayControl(ctx, 'cancel', run));
  });
  router.get(ROUTES.log, async (ctx) => {
    const { kind, namespace, name } = await item(ctx, 'get');
    // The log is a pod's: the caller must be allowed to read pods' logs there, as kubectl's user is.
    await authorize(reviewer, ctx, {
      resource: { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace },
    });
    const access = {
      client: opts.client,
      streamer: opts.streams,
      limits: opts.watchLimits,
      limit: state(ctx).limit,
    };
    await serveLog(ctx, access, kind, namespace, name, state(ctx).user.username);
  });
  router.get(ROUTES.events, async (ctx) => {
    const { kind, namespace, name } = await item(ctx, 'get');
    await authorize(reviewer, ctx, { resource: { verb: 'list', group: '', resource: 'events', namespace } });
    ctx.body = await runEvents(opts, kind, namespace, name, state(ctx).limit);
  });
  router.delete(ROUTES.item, async (ctx) => {
    const { kind, namespace, name } = await item(ctx, 'delete');
    ctx.body = await deleteRun(opts, kind, namespace, name, state(ctx).limit);
  });
  return router;
}
