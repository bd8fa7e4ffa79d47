// POST /webhook/alerts (docs/alerts.md, decision 0086): an Alertmanager or Grafana notification,
// authenticated by its bearer token from the headers alone (token.ts; 401 before the body is read),
// read within its bound (413), checked against the senders' contract (payload.ts; 400 naming the
// field), and each firing alert that matches a route (routing.ts) turned into a TaskRun (run.ts) made
// as the operator on behalf of the route's submitter, after RBAC says the submitter may use what the
// run uses. Resolved alerts start nothing. Idempotent across resends, replicas and restarts: the run's
// name is the firing's (route, fingerprint, start), found before anything is asked, and a create that
// meets it is counted as already started. Every answer comes within the time budget; an apiserver
// that does not answer is a 503, which the senders retry.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type ControllerConfig, runResource } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import { submitterVerdict } from '../github/index.js';
import { HttpError, readBody, reserveParse, STRICT_ROUTES } from '../http/index.js';
import { ApiError, type ApiRequester, resourcePath } from '../runtime/index.js';
import { type Alert, readNotification } from './payload.js';
import { type AlertRoute, matchRoute } from './routing.js';
import { alertRun, alertRunName, routeAgent } from './run.js';
import { bearerProblem } from './token.js';

export const ALERTS_WEBHOOK_PATH = '/webhook/alerts';

export interface AlertsWebhookOptions {
  api: ApiRequester;
  /** Read at each notification: a reloaded config applies at once. */
  config: () => ControllerConfig;
  /** The current token first, then the previous one; none: the endpoint is off. */
  tokens: () => readonly string[];
  /** What RBAC says a route's submitter may use. None: a run that uses anything is refused. */
  reviewer?: AccessReviewer;
  logger: Logger;
  /** Where orchestrator_alert_runs_total is registered. */
  registry?: Registry;
  /** The whole answer's budget. Default 10 s (Alertmanager's and Grafana's own timeouts are longer). */
  timeoutMs?: number;
}

/** What became of one alert, as counted and answered. */
export type AlertOutcome =
  | 'started'
  | 'already-started'
  | 'resolved'
  | 'unmatched'
  | 'refused'
  | 'rejected'
  | 'skipped';

interface AlertResult {
  fingerprint: string;
  outcome: AlertOutcome;
  route?: string;
  run?: { namespace: string; name: string };
  reason?: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const fault = (status: number, message: string): Answer => ({ status, body: { message } });

class Unavailable extends Error {}

export function alertsWebhookRouter(opts: AlertsWebhookOptions): Router {
  const budget = opts.timeoutMs ?? 10_000;
  const runs =
    opts.registry &&
    new Counter({
      name: 'orchestrator_alert_runs_total',
      help: 'Alerts received on /webhook/alerts, by route (none: no route matched, or past maxAlerts) and outcome: started, already-started (a resend of a firing already started), resolved (ignored), unmatched, refused (the route cannot start it: its submitter may not, or its agent acts as nobody), rejected (the apiserver refused the run), skipped (past alerts.maxAlerts).',
      labelNames: ['route', 'outcome'],
      registers: [opts.registry],
    });

  async function one(alert: Alert, config: ControllerConfig, deadline: number): Promise<AlertResult> {
    const base = { fingerprint: alert.fingerprint };
    const route = matchRoute(alert, config.alerts.routes);
    // Counted by the route it would take, so a route's resolutions read beside its runs.
    if (alert.status === 'resolved')
      return {
        ...base,
        ...(route ? { route: route.name } : {}),
        outcome: 'resolved',
        reason: 'resolved alerts start nothing',
      };
    if (!route)
      return { ...base, outcome: 'unmatched', reason: 'no route of alerts.routes matches its labels' };
    return { ...base, route: route.name, ...(await start(alert, route, config, deadline)) };
  }

  async function start(
    alert: Alert,
    route: AlertRoute,
    config: ControllerConfig,
    deadline: number,
  ): Promise<Omit<AlertResult, 'fingerprint' | 'route'>> {
    const left = () => {
      const ms = deadline - Date.now();
      if (ms <= 0) throw new Unavailable('no time left to reach the Kubernetes API');
      return ms;
    };
    const where = { namespace: route.namespace, name: alertRunName(route, alert) };
    const collection = resourcePath(runResource('TaskRun'), where.namespace);
    // A resend finds its run before the submitter's grants are asked again.
    try {
      await opts.api.request('GET', resourcePath(runResource('TaskRun'), where.namespace, where.name), {
        timeoutMs: left(),
      });
      return { outcome: 'already-started', run: where };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    const agent = routeAgent(route, config);
    if ('problem' in agent) return { outcome: 'refused', reason: agent.problem };
    const run = alertRun(route, alert, agent.agent, config);
    const allowed = await submitterVerdict(
      run,
      route.submitter,
      config,
      opts.reviewer,
      'alerts.routes[].submitter',
    );
    if ('refused' in allowed) {
      if (allowed.status === 503) throw new Unavailable(allowed.refused);
      return { outcome: 'refused', reason: allowed.refused };
    }
    try {
      await opts.api.request('POST', collection, { body: run, timeoutMs: left() });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return { outcome: 'already-started', run: where };
      if (err instanceof ApiError && (err.status === 400 || err.status === 422))
        return { outcome: 'rejected', reason: `the apiserver refused the run: ${err.message}` };
      throw err;
    }
    opts.logger.info(
      { route: route.name, fingerprint: alert.fingerprint, startsAt: alert.startsAt, run: where },
      `alert ${alert.labels.alertname ?? alert.fingerprint} started TaskRun ${where.namespace}/${where.name}`,
    );
    return { outcome: 'started', run: where };
  }

  async function act(payload: unknown, deadline: number): Promise<Answer> {
    const config = opts.config();
    const notification = readNotification(payload, config.alerts.maxAlerts);
    if ('problem' in notification) return fault(400, `not a notification: ${notification.problem}`);
    const results: AlertResult[] = [];
    const counts: Record<AlertOutcome, number> = {
      started: 0,
      'already-started': 0,
      resolved: 0,
      unmatched: 0,
      refused: 0,
      rejected: 0,
      skipped: notification.skipped,
    };
    const count = (route: string | undefined, outcome: AlertOutcome, n = 1) =>
      runs?.inc({ route: route ?? 'none', outcome }, n);
    if (notification.skipped > 0) count(undefined, 'skipped', notification.skipped);
    for (const alert of notification.alerts) {
      let result: AlertResult;
      try {
        result = await one(alert, config, deadline);
      } catch (err) {
        // The rest are not tried: the sender sends the notification again, and what was started is found.
        const why = err instanceof Error ? err.message : String(err);
        return fault(503, `the Kubernetes API is unavailable: ${why}`);
      }
      counts[result.outcome] += 1;
      count(result.route, result.outcome);
      results.push(result);
    }
    return { status: 200, body: { sender: notification.sender, ...counts, alerts: results } };
  }

  async function handle(ctx: Context): Promise<Answer> {
    const deadline = Date.now() + budget;
    const tokens = opts.tokens();
    // Off: nothing of the request is read, and the connection is not kept for the rest of it.
    if (tokens.length === 0) {
      ctx.set('Connection', 'close');
      return fault(404, 'the alert receiver is off: no token is configured (alerts.tokenFiles)');
    }
    // From the headers alone: an unauthenticated request's body is never read.
    const problem = bearerProblem(ctx.get('authorization') || undefined, tokens);
    if (problem) {
      ctx.set('Connection', 'close');
      ctx.set('WWW-Authenticate', 'Bearer');
      return fault(401, problem);
    }
    const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
    if (type !== 'application/json') {
      ctx.set('Connection', 'close');
      return fault(415, `content type must be application/json, not ${JSON.stringify(type)}`);
    }
    let payload: unknown;
    try {
      const body = await readBody(ctx.req, {
        limitBytes: opts.config().alerts.bodyLimitBytes,
        timeoutMs: budget,
      });
      reserveParse(ctx.req, body);
      payload = JSON.parse(body.toString('utf8'));
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.set('Connection', 'close');
        if (err.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(err.retryAfterSeconds));
        return fault(err.status, err.message);
      }
      return fault(400, `invalid JSON: ${(err as Error).message}`);
    }
    const answer = await act(payload, deadline);
    if (answer.status !== 200) opts.logger.warn({ status: answer.status }, String(answer.body.message));
    return answer;
  }

  // Exact (request-target.ts): the REST server gives this path, spelt exactly so, its own budget.
  const router = new Router(STRICT_ROUTES);
  router.post(ALERTS_WEBHOOK_PATH, async (ctx) => {
    const { status, body } = await handle(ctx);
    ctx.status = status;
    ctx.body = body;
  });
  return router;
}
