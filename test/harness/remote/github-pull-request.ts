// GitHub's deliveries about a task's pull request, as the events orchestrator-play waits for
// (docs/argo.md "The event-gated play"): opened, labelled, reviewed. Built from the recorded review
// (test/fixtures/github/pull_request_review.changes_requested.json, acme/payments) on the task's
// branch feature/task-N-implementation (pull request #12); `change` edits the body last.

import { githubPayload, type Payload } from './github.js';
import type { PullRequestRecord } from './github-api/pulls.js';

export interface PullRequestDelivery {
  event: string;
  body: Payload;
}

function taskPullRequest(task: number, action: string, change: (p: Payload) => void): Payload {
  return githubPayload('pull_request_review.changes_requested', (p) => {
    p.action = action;
    p.pull_request.head.ref = `feature/task-${task}-implementation`;
    // The recorded pull request is labelled task-7: a task's pull request carries its own task label
    // (orchestrator-play's association check fails a play whose pull request names another task).
    p.pull_request.labels = p.pull_request.labels.map((l: { name: string; url: string }) =>
      /^task-\d+$/.test(l.name)
        ? { ...l, name: `task-${task}`, url: l.url.replace(/task-\d+$/, `task-${task}`) }
        : l,
    );
    change(p);
  });
}

/** The author's pull request opened. */
export const pullRequestOpened = (
  task: number,
  change: (p: Payload) => void = () => {},
): PullRequestDelivery => ({
  event: 'pull_request',
  body: taskPullRequest(task, 'opened', (p) => {
    delete p.review;
    change(p);
  }),
});

/** The pull request labelled `name`. */
export const pullRequestLabelled = (task: number, name: string): PullRequestDelivery => ({
  event: 'pull_request',
  body: taskPullRequest(task, 'labeled', (p) => labelled(p, name)),
});

/** A review of the pull request submitted in `state` (approved, changes_requested, commented). */
export const pullRequestReviewed = (task: number, state: string): PullRequestDelivery => ({
  event: 'pull_request_review',
  body: taskPullRequest(task, 'submitted', (p) => {
    p.review.state = state;
  }),
});

// GitHub's payload holds the pull request as labelled: the new label among its labels.
function labelled(p: Payload, name: string): void {
  delete p.review;
  p.label = { name };
  p.pull_request.labels = [...p.pull_request.labels, { name }];
}

/**
 * The delivery of `action` on the stand-in's pull request `pr` (its number, branch, head commit,
 * labels): opened, labeled (`label`), or a review submitted in state `review`.
 */
export function pullRequestEvent(
  pr: PullRequestRecord,
  action: 'opened' | 'labeled' | 'submitted',
  what: { label?: string; review?: string; labels?: string[] } = {},
): PullRequestDelivery {
  const body = githubPayload('pull_request_review.changes_requested', (p) => {
    p.action = action;
    p.pull_request.number = pr.number;
    p.pull_request.html_url = `${pr.web ?? 'https://github.com'}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
    p.pull_request.url = `https://api.github.com/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
    p.pull_request.title = pr.title;
    p.pull_request.head.ref = pr.head;
    p.pull_request.head.label = `${pr.owner}:${pr.head}`;
    if (pr.headSha) p.pull_request.head.sha = pr.headSha;
    p.pull_request.base.ref = pr.base;
    p.pull_request.labels = (what.labels ?? []).map((name) => ({ name }));
    if (action === 'submitted') p.review.state = what.review;
    else if (action === 'labeled') {
      p.pull_request.labels = p.pull_request.labels.filter((l: { name: string }) => l.name !== what.label);
      labelled(p, String(what.label));
    } else delete p.review;
  });
  return { event: action === 'submitted' ? 'pull_request_review' : 'pull_request', body };
}
