// What a GitHub delivery asks for, read from its payload: feedback on a pull request (a new comment, a
// comment on its code, a review requesting changes) or a failed CI run on a branch. Pure and total:
// the payload is anyone's JSON until the signature says otherwise, and even then any field may be
// missing, so every read is checked and an unusable payload is a reason to ignore it, never a throw.
import { isPlainObject } from '../util/index.js';

export type Trigger = 'comment' | 'review' | 'ci-failure';

/** Feedback to act on, with what is needed to find the task it belongs to. */
export interface Feedback {
  trigger: Trigger;
  /** owner/name (repository.full_name). */
  repository: string;
  /** Who wrote it (comments, reviews), or the app or workflow that failed (CI). */
  author: string;
  /** author_association of a comment or review; undefined for CI. */
  association?: string;
  /**
   * The login whose permission on the repository decides whether this may start a run
   * (trigger-permission.ts): a comment's or review's author; for a workflow run the user who triggered
   * this attempt (`workflow_run.triggering_actor`, else `actor`); for a check run, whose payload names
   * no pusher, the event's `sender`.
   */
  actor: string;
  /** The text to act on (not yet bounded: see remediation-run.ts). */
  text: string;
  url?: string;
  pullRequestUrl?: string;
  /** The pull request's (or the CI run's) head branch, when the payload says. */
  branch?: string;
  /** The pull request's labels (none for CI and for issue comments without labels). */
  labels: string[];
  /** False when the head branch is a fork's: its name is then no claim on our task. */
  sameRepository: boolean;
  /** A failed commit (CI): its failures share one run. */
  headSha?: string;
  /**
   * What the run is named after, from signed fields only (never the X-GitHub-Delivery header, which
   * the signature does not cover): the same event delivered again under any delivery id names the
   * same run, so it starts nothing (docs/security.md "Replayed deliveries").
   */
  key: string;
}

export type Reading = { feedback: Feedback } | { ignored: string };

type Obj = Record<string, unknown>;
const SHA = /^[0-9a-f]{40}$/;

/** The value at a dotted path, if it is a non-empty string (or a number, as a string). */
function str(root: unknown, path: string): string | undefined {
  let node = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  if (typeof node === 'number' && Number.isFinite(node)) return String(node);
  return typeof node === 'string' && node !== '' ? node : undefined;
}

function list(root: unknown, path: string): unknown[] {
  let node = root;
  for (const key of path.split('.')) node = isPlainObject(node) ? node[key] : undefined;
  return Array.isArray(node) ? node : [];
}

const labelsOf = (root: unknown, path: string): string[] =>
  list(root, path)
    .map((l) => str(l, 'name'))
    .filter((n): n is string => n !== undefined);

/** One reader per event; each checks its action and pulls the feedback out. */
const READERS: Record<string, (p: Obj, repository: string) => Reading> = {
  issue_comment: (p, repository) => {
    if (p.action !== 'created')
      return { ignored: `issue_comment ${String(p.action)}: only new comments count` };
    // Issues and pull requests share comments; only a pull request's has issue.pull_request.
    if (!isPlainObject((p.issue as Obj | undefined)?.pull_request))
      return { ignored: 'a comment on an issue, not on a pull request' };
    const text = str(p, 'comment.body');
    if (!text) return { ignored: 'the comment has no text' };
    const id = str(p, 'comment.id');
    if (!id) return { ignored: 'the comment has no id' };
    return {
      feedback: {
        key: `comment-${id}`,
        trigger: 'comment',
        repository,
        author: str(p, 'comment.user.login') ?? str(p, 'sender.login') ?? '',
        actor: str(p, 'comment.user.login') ?? str(p, 'sender.login') ?? '',
        association: str(p, 'comment.author_association'),
        text,
        url: str(p, 'comment.html_url'),
        pullRequestUrl: str(p, 'issue.pull_request.html_url') ?? str(p, 'issue.html_url'),
        labels: labelsOf(p, 'issue.labels'),
        // The payload does not say the branch; the pull request is found by its label or URL instead.
        sameRepository: true,
      },
    };
  },
  pull_request_review_comment: (p, repository) => {
    if (p.action !== 'created')
      return { ignored: `pull_request_review_comment ${String(p.action)}: only new comments count` };
    const body = str(p, 'comment.body');
    if (!body) return { ignored: 'the comment has no text' };
    const path = str(p, 'comment.path');
    const line = str(p, 'comment.line') ?? str(p, 'comment.original_line');
    const where = path ? `On \`${path}\`${line ? ` line ${line}` : ''}:\n\n` : '';
    return pullRequestFeedback(p, repository, 'comment', 'comment', `${where}${body}`, 'review-comment');
  },
  pull_request_review: (p, repository) => {
    if (p.action !== 'submitted')
      return { ignored: `pull_request_review ${String(p.action)}: only submitted reviews count` };
    const state = str(p, 'review.state')?.toLowerCase();
    if (state !== 'changes_requested')
      return { ignored: `a review in state ${state ?? 'unknown'}: only one requesting changes counts` };
    const body = str(p, 'review.body') ?? 'The review requests changes; its comments on the code say which.';
    return pullRequestFeedback(p, repository, 'review', 'review', body, 'review');
  },
  check_run: (p, repository) => {
    const unfit = unfitRun(p, 'check_run', 'check run');
    if (unfit) return { ignored: unfit };
    const name = str(p, 'check_run.name') ?? 'a check';
    const title = str(p, 'check_run.output.title');
    // GitHub lists the pull requests of a check only for branches of this repository (none for forks).
    const repoId = str(p, 'repository.id');
    const prs = list(p, 'check_run.pull_requests').filter((pr) => str(pr, 'head.repo.id') === repoId);
    return ciFeedback(p, repository, 'check_run', prs[0], {
      author: str(p, 'check_run.app.slug'),
      actor: str(p, 'sender.login'),
      text: [`The check "${name}" failed${title ? `: ${title}` : '.'}`, str(p, 'check_run.output.summary')]
        .filter(Boolean)
        .join('\n\n'),
      branch: str(prs[0], 'head.ref') ?? str(p, 'check_run.check_suite.head_branch'),
      sameRepository: prs.length > 0,
      suite: str(p, 'check_run.check_suite.id'),
    });
  },
  workflow_run: (p, repository) => {
    const unfit = unfitRun(p, 'workflow_run', 'workflow run');
    if (unfit) return { ignored: unfit };
    const name = str(p, 'workflow_run.name') ?? str(p, 'workflow.name') ?? 'a workflow';
    const attempt = str(p, 'workflow_run.run_attempt');
    const title = str(p, 'workflow_run.display_title');
    return ciFeedback(p, repository, 'workflow_run', list(p, 'workflow_run.pull_requests')[0], {
      author: str(p, 'workflow_run.actor.login'),
      // A re-run's triggering actor is who started this attempt; actor started the first.
      actor: str(p, 'workflow_run.triggering_actor.login') ?? str(p, 'workflow_run.actor.login'),
      text: `The workflow "${name}" failed${attempt ? ` (attempt ${attempt})` : ''}${
        title ? ` on "${title}"` : ''
      }. Its failed jobs' logs say why.`,
      branch: str(p, 'workflow_run.head_branch'),
      sameRepository:
        str(p, 'workflow_run.head_repository.full_name')?.toLowerCase() === repository.toLowerCase(),
      suite: str(p, 'workflow_run.check_suite_id'),
    });
  },
};

/** Why a check or workflow run does not count (only a completed failure does), or undefined. */
function unfitRun(p: Obj, event: string, what: string): string | undefined {
  if (p.action !== 'completed') return `${event} ${String(p.action)}: only completed runs count`;
  const conclusion = str(p, `${event}.conclusion`);
  return conclusion === 'failure' ? undefined : `a ${what} that concluded ${conclusion ?? 'nothing'}`;
}

/** A failed CI run's feedback; its pull request (if GitHub names one) links from the repository's page. */
function ciFeedback(
  p: Obj,
  repository: string,
  event: string,
  pullRequest: unknown,
  part: {
    author?: string;
    actor?: string;
    text: string;
    branch?: string;
    sameRepository: boolean;
    suite?: string;
  },
): Reading {
  const number = str(pullRequest, 'number');
  const htmlUrl = str(p, 'repository.html_url');
  const sha = str(p, `${event}.head_sha`);
  // All the failures of one commit (a workflow run and each failed check) are one run.
  const key = sha && SHA.test(sha) ? `ci-${sha}` : part.suite ? `ci-suite-${part.suite}` : undefined;
  if (!key) return { ignored: `the ${event} names neither its commit nor its check suite` };
  return {
    feedback: {
      key,
      trigger: 'ci-failure',
      repository,
      author: part.author ?? str(p, 'sender.login') ?? '',
      actor: part.actor ?? '',
      text: part.text,
      url: str(p, `${event}.html_url`),
      pullRequestUrl: number && htmlUrl ? `${htmlUrl}/pull/${number}` : undefined,
      branch: part.branch,
      labels: [],
      sameRepository: part.sameRepository,
      headSha: sha,
    },
  };
}

/** A comment or review on a pull request's code: the payload carries the pull request whole. */
function pullRequestFeedback(
  p: Obj,
  repository: string,
  trigger: Trigger,
  item: string,
  text: string,
  keyPrefix: string,
): Reading {
  const headRepo = str(p, 'pull_request.head.repo.full_name');
  const id = str(p, `${item}.id`);
  if (!id) return { ignored: `the ${item} has no id` };
  // The commit it was written against too: a short prefix is enough beside a unique id.
  const head = str(p, 'pull_request.head.sha');
  const at = head && SHA.test(head) ? `-${head.slice(0, 12)}` : '';
  return {
    feedback: {
      key: `${keyPrefix}-${id}${at}`,
      trigger,
      repository,
      author: str(p, `${item}.user.login`) ?? str(p, 'sender.login') ?? '',
      actor: str(p, `${item}.user.login`) ?? str(p, 'sender.login') ?? '',
      association: str(p, `${item}.author_association`),
      text,
      url: str(p, `${item}.html_url`),
      pullRequestUrl: str(p, 'pull_request.html_url'),
      branch: str(p, 'pull_request.head.ref'),
      labels: labelsOf(p, 'pull_request.labels'),
      sameRepository: headRepo?.toLowerCase() === repository.toLowerCase(),
    },
  };
}

/** What `event`'s `payload` asks for, or why it asks for nothing. */
export function readEvent(event: string, payload: unknown): Reading {
  const reader = Object.hasOwn(READERS, event) ? READERS[event] : undefined;
  if (!reader) return { ignored: `the ${event} event starts no run` };
  if (!isPlainObject(payload)) return { ignored: 'the payload is not a JSON object' };
  const repository = str(payload, 'repository.full_name');
  if (!repository) return { ignored: 'the payload names no repository' };
  return reader(payload, repository);
}
