// GitHub as a source of runs (docs/github-webhook.md, docs/design.md §1.8): the endpoint that turns review
// feedback and failed CI into a remediation CodeRun continuing the task's latest run, and issues (a label,
// an assignment, a mention) into a TaskRun, and the App installation tokens the operator mints for its
// agents (app-tokens/).
// - answer.ts: what the endpoint answers a delivery (status, reason, run).
// - app-tokens/: installation tokens minted and revoked per attempt (its own index.ts).
// - phase-tokens/: the broker's decisions: which pod's phase gets which token, now, and which attempt a
//   pod's projected token speaks for (its own index.ts).
// - collaborator-permission.ts: GitHub asked what a login may do on a repository, with a metadata-read
//   App token; answers kept a minute, bounded in entries.
// - events.ts: what a delivery asks for, read from its payload: pure and total, never a throw.
// - issue-events.ts: what a delivery about an issue asks for (label, assignment, comment): pure and total.
// - issue-mapping.ts: which issue requests start a run under the repository's issues block, and as whom.
// - issue-run.ts: the TaskRun an issue starts, its prompt framing the issue as data.
// - issue-submitter.ts: what RBAC says an issue run's configured submitter may use, asked before it is made.
// - issue-trigger.ts: an issue request acted on: permission, one run per issue, created, answered on the issue.
// - mapping.ts: which deliveries start a run and for which task, every "no" with its reason.
// - previous-run.ts: the CodeRun a remediation continues, found by its labels or its pull request.
// - pull-request-comments.ts: a comment posted on a pull request once (found by its marker before
//   posting), with a token of the run's App for that repository alone, revoked after.
// - remediation-references.ts: a remediation run may use only what the run it continues used: the check
//   that stands in for RBAC, as its sender has no Kubernetes identity.
// - remediation-run.ts: the remediation CodeRun, every payload value bounded to what the schema admits.
// - router.ts: the endpoint: verified, read, mapped, created; idempotent across replicas and redeliveries.
// - secrets.ts: the webhook's secrets, read from files and kept current by the one file watcher.
// - signature.ts: the delivery's HMAC checked as the body streams in, before anything parses it.
// - task-marker.ts: a task's marker file read at a pull request's head commit (the play's task
//   association), with a read-only token of that one repository, revoked after; a verdict, never its text.
// - trigger-permission.ts: who may start an agent from GitHub: the actor's repository permission, not
//   its association.

export {
  AppKeys,
  appAuth,
  appKeyData,
  appSecretName,
  type GithubTokens,
  githubApiUrl,
  repositoryInstallation,
  SEED_APP_KEYS,
  TokenBroker,
  tokenScope,
} from './app-tokens/index.js';
export { CollaboratorPermissions } from './collaborator-permission.js';
export { submitterVerdict } from './issue-submitter.js';
export {
  boundPod,
  PHASE_TOKEN_AUDIENCE,
  PhaseTokenIssuer,
  podAttempt,
  Refusal,
} from './phase-tokens/index.js';
export {
  type CommentRequest,
  GithubPullRequestComments,
  type PostedComment,
  type PullRequestComments,
  type PullRequestRef,
  type PullRequestReports,
  pullRequestOf,
  type UpsertedComment,
} from './pull-request-comments.js';
export { GITHUB_WEBHOOK_PATH, githubWebhookRouter } from './router.js';
export { type SecretSource, watchWebhookSecrets } from './secrets.js';
export {
  GithubTaskMarkers,
  type MarkerReading,
  type MarkerVerdict,
  markerVerdict,
  type TaskMarkers,
} from './task-marker.js';
export type { RepositoryPermissions } from './trigger-permission.js';
