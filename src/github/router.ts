// POST /webhook/github: a GitHub delivery, verified (signature.ts), read (events.ts), mapped to a task
// (mapping.ts) and turned into a remediation CodeRun that continues the task's latest run
// (previous-run.ts, remediation-run.ts), only when its actor holds githubWebhook.triggerPermission on the
// repository as GitHub says (trigger-permission.ts; 403 otherwise). A koa Router, mounted on the REST server. Idempotent across
// replicas, restarts and replays: the run is named from signed fields of the payload (the comment or
// review and its head commit; a failed commit, for CI), never from the unsigned delivery id, so a
// redelivery's create is a 409, answered 200. A delivery that is no task's feedback may ask for work on
// an issue: a label, an assignment or a mention starts a TaskRun (issue-trigger.ts, decision 0082).
// Every answer comes within the time budget: the body
// read and each apiserver call get what is left of it, and an apiserver that does not answer is a
// 503, never a 500. docs/github-webhook.md lists the answers.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { ControllerConfig } from '../api/index.js';
import { runResource } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import { HttpError, readBody, reserveParse, STRICT_ROUTES } from '../http/index.js';
import { githubRunName } from '../naming/index.js';
import { ApiError, type ApiRequester, resourcePath } from '../runtime/index.js';
import type { Answer } from './answer.js';
import { readEvent } from './events.js';
import { readIssueEvent } from './issue-events.js';
import { decideIssue } from './issue-mapping.js';
import { type IssueOutcome, startIssueRun } from './issue-trigger.js';
import { decide, handledEvent } from './mapping.js';
import { previousRun } from './previous-run.js';
import type { PullRequestComments } from './pull-request-comments.js';
import { referencesBeyondPrevious } from './remediation-references.js';
import { remediationRun } from './remediation-run.js';
import { SIGNATURE_HEADER, signatureCheck } from './signature.js';
import { type RepositoryPermissions, triggerVerdict } from './trigger-permission.js';

export const GITHUB_WEBHOOK_PATH = '/webhook/github';
export const GITHUB_BODY_LIMIT_BYTES = 25 * 1024 * 1024;
/** The events that may ask for work on an issue. */
const ISSUE_EVENTS = new Set(['issues', 'issue_comment']);

export interface GithubWebhookOptions {
  api: ApiRequester;
  /** Read at each delivery: a reloaded config applies at once. */
  config: () => ControllerConfig;
  /** The current secret first, then the previous one (secrets.ts); none: the endpoint is off. */
  secrets: () => readonly string[];
  logger: Logger;
  /** Default /webhook/github. */
  path?: string;
  /** Default 25 MiB, GitHub's own cap on a payload. */
  bodyLimitBytes?: number;
  /** The whole answer's budget. Default 10 s, GitHub's timeout for a delivery. */
  timeoutMs?: number;
  /**
   * What GitHub says each actor may do (collaborator-permission.ts). None (no App keys): every
   * delivery is refused unless githubWebhook.triggerPermission is none.
   */
  permissions?: RepositoryPermissions;
  /**
   * Where a run from an issue answers on the issue (a refusal of someone allowed, the run started);
   * none (no App keys): those answers are only logged.
   */
  comments?: PullRequestComments;
  /**
   * What RBAC says an issue run's configured submitter may use (issue-submitter.ts): the admission
   * webhook trusts the manager's runs, so this is where their submitter is checked. None: an issue run
   * that uses anything (an agent profile does) is refused.
   */
  reviewer?: AccessReviewer;
  /** Where orchestrator_github_trigger_checks_total and orchestrator_github_issue_runs_total are registered. */
  registry?: Registry;
}

/** A failed apiserver call as an answer: the run refused is the delivery's doing (422), the rest ours (503). */
function apiFailure(err: unknown): Answer {
  if (err instanceof ApiError && (err.status === 400 || err.status === 422))
    return { status: 422, message: `the apiserver refused the remediation run: ${err.message}` };
  const why = err instanceof Error ? err.message : String(err);
  return { status: 503, message: `the Kubernetes API is unavailable: ${why}` };
}

const header = (ctx: Context, name: string): string | undefined => {
  const value = ctx.get(name);
  return value === '' ? undefined : value;
};

export function githubWebhookRouter(opts: GithubWebhookOptions): Router {
  const limit = opts.bodyLimitBytes ?? GITHUB_BODY_LIMIT_BYTES;
  const budget = opts.timeoutMs ?? 10_000;
  const checks =
    opts.registry &&
    new Counter({
      name: 'orchestrator_github_trigger_checks_total',
      help: "Deliveries whose actor's repository permission was checked (githubWebhook.triggerPermission), by outcome: allowed, refused (403, no run), unknown (GitHub could not say: 503).",
      labelNames: ['outcome'],
      registers: [opts.registry],
    });

  const issueRuns =
    opts.registry &&
    new Counter({
      name: 'orchestrator_github_issue_runs_total',
      help: 'Issue requests (a label, an assignment, a mention) that reached the permission check, by outcome: created, running (one already works on the issue), redelivery, refused (403), unknown (503), rejected (the apiserver refused the run).',
      labelNames: ['outcome'],
      registers: [opts.registry],
    });

  /** Everything after the body is trusted: the event, mapped and acted on. */
  async function act(event: string, delivery: string, payload: unknown, deadline: number): Promise<Answer> {
    const config = opts.config();
    if (event === 'ping') return { status: 200, message: 'pong' };
    if (!handledEvent(config, event))
      return { status: 202, message: `ignored: the ${event} event is not in githubWebhook.events` };
    const remediation = await remediate(event, delivery, payload, deadline, config);
    if (!('ignored' in remediation)) return remediation;
    // Not a task's pull request's feedback: perhaps a request to work on an issue (decision 0082).
    const reading = ISSUE_EVENTS.has(event) ? readIssueEvent(event, payload) : remediation;
    const decision = 'ignored' in reading ? reading : decideIssue(reading.request, config);
    if ('ignored' in decision) {
      // On a pull request, why it is no task's feedback is the likelier question.
      const onPull = 'request' in reading && reading.request.pullRequest;
      return { status: 202, message: `ignored: ${onPull ? remediation.ignored : decision.ignored}` };
    }
    const deps = {
      api: opts.api,
      config,
      permissions: opts.permissions,
      comments: opts.comments,
      reviewer: opts.reviewer,
      logger: opts.logger,
      count: (outcome: IssueOutcome) => issueRuns?.inc({ outcome }),
    };
    return startIssueRun(deps, decision.target, { id: delivery, event, deadline });
  }

  /** A remediation of a task's run, or why the delivery is none. */
  async function remediate(
    event: string,
    delivery: string,
    payload: unknown,
    deadline: number,
    config: ControllerConfig,
  ): Promise<Answer | { ignored: string }> {
    const reading = readEvent(event, payload);
    if ('ignored' in reading) return reading;
    const decision = decide(reading.feedback, config);
    if ('ignored' in decision) return decision;
    const { target } = decision;
    const left = () => deadline - Date.now();
    if (left() <= 0) return { status: 503, message: 'no time left to reach the Kubernetes API' };
    const found = await previousRun(opts.api, target, config, left());
    if ('none' in found) return { ignored: found.none };
    // Asked with the token of the App the run will act as, so GitHub is asked only for a task that exists.
    const verdict = await triggerVerdict({
      feedback: target.feedback,
      app: found.run.spec.githubApp,
      config,
      permissions: opts.permissions,
      signal: AbortSignal.timeout(Math.max(1, left())),
    });
    if ('refused' in verdict) {
      checks?.inc({ outcome: 'refused' });
      return { status: 403, message: `refused: ${verdict.refused}` };
    }
    if ('unknown' in verdict) {
      checks?.inc({ outcome: 'unknown' });
      return { status: 503, message: verdict.unknown };
    }
    checks?.inc({ outcome: 'allowed' });
    // Named from the signed payload (events.ts): a replay under another delivery id is a 409.
    const name = githubRunName(target.feedback.key);
    const run = remediationRun({ previous: found.run, target, name, delivery, event }, config);
    const beyond = referencesBeyondPrevious(run, found.run, config);
    if (beyond) return { status: 422, message: beyond };
    const where = { namespace: target.repository.namespace, name };
    if (left() <= 0) return { status: 503, message: 'no time left to reach the Kubernetes API' };
    try {
      await opts.api.request('POST', resourcePath(runResource('CodeRun'), where.namespace), {
        body: run,
        timeoutMs: left(),
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409)
        return {
          status: 200,
          message: `already done: CodeRun ${where.namespace}/${name} exists (a redelivery)`,
          run: where,
        };
      throw err;
    }
    return {
      status: 201,
      message: `CodeRun ${where.namespace}/${name} continues ${found.run.metadata?.name} (task ${run.spec.taskId}, context version ${run.spec.contextVersion})`,
      run: where,
    };
  }

  async function handle(ctx: Context): Promise<Answer> {
    const deadline = Date.now() + budget;
    const secrets = opts.secrets();
    // Off: nothing of the request is read, and the connection is not kept for the rest of it.
    if (secrets.length === 0) {
      ctx.set('Connection', 'close');
      return {
        status: 404,
        message: 'the GitHub webhook is off: no secret is configured (githubWebhook.secretFiles)',
      };
    }
    const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
    if (type !== 'application/json') {
      ctx.set('Connection', 'close');
      return {
        status: 415,
        message: `content type must be application/json (the webhook's setting), not ${JSON.stringify(type)}`,
      };
    }
    // A header that can sign nothing is refused before the body is read.
    const check = signatureCheck(header(ctx, SIGNATURE_HEADER), secrets);
    if (typeof check === 'string') {
      ctx.set('Connection', 'close');
      return { status: 401, message: check };
    }
    // Kept once, as the bytes that arrived, and hashed as they arrive.
    let body: Buffer;
    try {
      body = await readBody(ctx.req, {
        limitBytes: limit,
        timeoutMs: budget,
        onChunk: (c) => check.update(c),
      });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      ctx.set('Connection', 'close');
      return { status: err.status, message: err.message };
    }
    const problem = check.problem();
    if (problem) return { status: 401, message: problem };
    const event = header(ctx, 'x-github-event');
    const delivery = header(ctx, 'x-github-delivery');
    if (!event || !delivery)
      return { status: 400, message: 'X-GitHub-Event and X-GitHub-Delivery are required' };
    if (delivery.length > 200)
      return { status: 400, message: 'X-GitHub-Delivery is longer than 200 characters' };
    let payload: unknown;
    try {
      // Signed, but still bounded: what parsing costs is reserved from the listener's budget first.
      reserveParse(ctx.req, body);
      payload = JSON.parse(body.toString('utf8'));
    } catch (err) {
      if (err instanceof HttpError) {
        if (err.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(err.retryAfterSeconds));
        return { status: err.status, message: err.message };
      }
      return { status: 400, message: `invalid JSON: ${(err as Error).message}` };
    }
    try {
      const answer = await act(event, delivery, payload, deadline);
      opts.logger.info({ delivery, event, status: answer.status, run: answer.run }, answer.message);
      return answer;
    } catch (err) {
      const answer = apiFailure(err);
      opts.logger.warn({ delivery, event, status: answer.status }, answer.message);
      return answer;
    }
  }

  // Exact (request-target.ts): the REST server gives this path, spelt exactly so, its own budget.
  const router = new Router(STRICT_ROUTES);
  router.post(opts.path ?? GITHUB_WEBHOOK_PATH, async (ctx) => {
    const { status, ...rest } = await handle(ctx);
    ctx.status = status;
    ctx.body = rest;
  });
  return router;
}
