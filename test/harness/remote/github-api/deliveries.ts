// The webhook side of the GitHub REST stand-in (server.ts): what GitHub sends an organisation's webhook
// when a pull request is opened, labelled or reviewed through the API, as the events of
// orchestrator-play (docs/argo.md "The event-gated play"). Wraps the routes that write them: once a
// write succeeds, its delivery (built from the recorded payloads, github-pull-request.ts) goes to `send`,
// the sender being the App's bot whose token wrote it. So a play moves on what the agents' publishers
// did, and nothing a test posts on their behalf.
import { type PullRequestDelivery, pullRequestEvent } from '../github-pull-request.js';
import type { GithubAppFixture } from './apps.js';
import { botOf } from './installation-token.js';
import type { PullRequestRecord } from './pulls.js';
import type { GithubRequest, GithubRoute } from './route.js';

/** What a delivery's receiver answered, or why it could not be sent. */
export interface SentDelivery {
  event: string;
  action: string;
  pullRequest: number;
  sender: string;
  status: number | string;
}

const REVIEW_STATE = { APPROVE: 'approved', REQUEST_CHANGES: 'changes_requested', COMMENT: 'commented' };

/** The deliveries a successful write causes (its PR record and the request's body say what). */
type Cause = (req: GithubRequest, pr: PullRequestRecord, labels: string[]) => PullRequestDelivery[];

const CAUSES: Record<string, Cause> = {
  'POST /repos/{owner}/{repo}/pulls': (_req, pr, labels) => [pullRequestEvent(pr, 'opened', { labels })],
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': (req, pr, labels) =>
    ((req.body as { labels?: (string | { name: string })[] }).labels ?? []).map((l) =>
      pullRequestEvent(pr, 'labeled', { label: typeof l === 'string' ? l : l.name, labels }),
    ),
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': (req, pr, labels) => {
    const event = (req.body as { event?: keyof typeof REVIEW_STATE }).event;
    return event ? [pullRequestEvent(pr, 'submitted', { review: REVIEW_STATE[event], labels })] : [];
  },
};

/** The pull request a request is about: by its number, or (opened) the newest of the repository. */
function pullRequestOf(req: GithubRequest, pulls: PullRequestRecord[]): PullRequestRecord | undefined {
  const number = req.params.issue_number ?? req.params.pull_number;
  const ofRepo = pulls.filter((p) => p.owner === req.params.owner && p.repo === req.params.repo);
  return number === undefined ? ofRepo.at(-1) : ofRepo.find((p) => String(p.number) === number);
}

/**
 * `routes` with the writes above sending their deliveries through `send` (in order, after the answer);
 * `sent` lists each with its receiver's answer. The sender is the bot of the App whose token wrote.
 */
export function deliveringRoutes(
  routes: GithubRoute[],
  pulls: PullRequestRecord[],
  apps: GithubAppFixture[],
  send: (d: PullRequestDelivery) => Promise<number>,
  /** A pull request's labels now (labels.ts's record). */
  labelsOf: (pr: PullRequestRecord) => string[] = () => [],
): { routes: GithubRoute[]; sent: SentDelivery[] } {
  const sent: SentDelivery[] = [];
  let queue = Promise.resolve();
  const senderOf = (req: GithubRequest) => {
    const value = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const token = apps.map((a) => a.issued(value)).find((i) => i !== undefined);
    return token ? botOf(token) : undefined;
  };
  const deliver = (d: PullRequestDelivery) => {
    const record: SentDelivery = {
      event: d.event,
      action: String(d.body.action),
      pullRequest: Number(d.body.pull_request.number),
      sender: String(d.body.sender.login),
      status: 'pending',
    };
    sent.push(record);
    queue = queue.then(() =>
      send(d).then(
        (status) => {
          record.status = status;
        },
        (err: Error) => {
          record.status = err.message;
        },
      ),
    );
  };
  const wrapped = routes.map((route): GithubRoute => {
    const cause = CAUSES[`${route.method} ${route.path}`];
    if (!cause) return route;
    return {
      ...route,
      async handle(req) {
        const answer = await route.handle(req);
        const pr = answer.status < 300 ? pullRequestOf(req, pulls) : undefined;
        const sender = senderOf(req);
        if (pr)
          for (const d of cause(req, pr, labelsOf(pr))) {
            if (sender) d.body.sender = { ...d.body.sender, login: sender, type: 'Bot' };
            deliver(d);
          }
        return answer;
      },
    };
  });
  return { routes: wrapped, sent };
}
