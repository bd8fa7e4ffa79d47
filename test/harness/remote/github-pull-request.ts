// GitHub's deliveries about a task's pull request, as the events orchestrator-play waits for
// (docs/argo.md "The event-gated play"): opened, labelled, reviewed. Built from the recorded review
// (test/fixtures/github/pull_request_review.changes_requested.json, acme/payments) on the task's
// branch feature/task-N-implementation (pull request #12); `change` edits the body last.
import { githubPayload, type Payload } from './github.js';

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
  body: taskPullRequest(task, 'labeled', (p) => {
    delete p.review;
    p.label = { name };
    // GitHub's payload holds the pull request as labelled: the new label among its labels.
    p.pull_request.labels = [...p.pull_request.labels, { name }];
  }),
});

/** A review of the pull request submitted in `state` (approved, changes_requested, commented). */
export const pullRequestReviewed = (task: number, state: string): PullRequestDelivery => ({
  event: 'pull_request_review',
  body: taskPullRequest(task, 'submitted', (p) => {
    p.review.state = state;
  }),
});
