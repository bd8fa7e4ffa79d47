// Every name derived from a run, of every kind, and every directory a run works in: Job, ConfigMap and
// workspace PVC names, label values, mount points and the attempt's run directory (docs/design.md §2).
// Every object name is a valid DNS-1123 label of at most 63 characters: a longer one is cut and given
// a short stable hash of the full name, so two long names that share a prefix still differ, and the
// same run always gets the same name. A run's Job and ConfigMap names end in a hash of its uid, so no
// two run objects (of any kind, or one re-created under an old name) ever want the same names.
import { createHash } from 'node:crypto';

export const MAX_NAME = 63;
const HASH_LENGTH = 8;

export function boundedName(full: string, max = MAX_NAME): string {
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const prefix = full.slice(0, max - HASH_LENGTH - 1).replace(/[-.]+$/, '');
  return `${prefix}-${hash}`;
}

/**
 * The `orchestrator.io/run` label value of a run: its name, or for a name longer than a label value
 * may be (63; a run's name may have 253), a readable prefix and a hash of the whole name. Every
 * selector of a run's objects uses it (docs/design.md §3).
 */
export const runLabelValue = (runName: string): string => boundedName(runName);

/**
 * `acme-cleo` → `cleo`: the seed's rule, the part after the App's last '-', lower-cased. The agent a
 * run uses is the config's (src/api/github-app-agent.ts); this is its fallback and a readable word.
 */
export function agentFromGithubApp(githubApp: string): string {
  const name = githubApp.includes('-') ? githubApp.slice(githubApp.lastIndexOf('-') + 1) : githubApp;
  return name.toLowerCase().replace(/[^a-z0-9-]/g, '');
}

/**
 * Implementation agents (role `implementation` in their profile) share the service's workspace; every
 * other agent gets its own, so a reviewer never works in the implementer's checkout.
 */
export function workspacePvcName(service: string, agent: string, shared: boolean): string {
  return boundedName(shared ? `workspace-${service}` : `workspace-${service}-${agent}`);
}

/** `Docs/API v2` → `docs-api-v2`: lower case, every other run of characters one '-'. */
export const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** `projects/api` → `docs-workspace-projects-api`. */
export function docsWorkspacePvcName(workingDirectory: string): string {
  return boundedName(`docs-workspace-${slug(workingDirectory) || 'root'}`);
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Whether `v` may be a label value (63 characters at most, alphanumeric at both ends). */
export const isLabelValue = (v: string): boolean => v.length <= 63 && LABEL_VALUE.test(v);

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Why `key` cannot be a label or annotation key (Kubernetes' qualified name: an optional DNS
 * subdomain prefix of at most 253 characters and '/', then a name of at most 63), or undefined.
 */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return 'the prefix before "/" must be a DNS subdomain (lower case letters, digits, "-" and ".", at most 253 characters)';
  if (name.length > 63 || !QUALIFIED_NAME.test(name))
    return 'the name must be 63 characters at most, start and end with a letter or digit, and hold only letters, digits, "-", "_" and "."';
  return undefined;
}

const UID_HASH_LENGTH = 8;
const FILES_SUFFIX = '-files';

/** The first hex digits of the SHA-256 of a run's metadata.uid: what makes its object names its own. */
export const uidHash = (uid: string): string =>
  createHash('sha256').update(uid).digest('hex').slice(0, UID_HASH_LENGTH);

/**
 * `{readable}-{uid hash}`: the readable part cut (boundedName) so that the ConfigMap's name, this and
 * `-files`, fits in 63 too. The hash is always kept whole, so a long name stays the run's own.
 */
function runObjectName(readable: string, uid: string): string {
  const room = MAX_NAME - UID_HASH_LENGTH - 1 - FILES_SUFFIX.length;
  return `${boundedName(readable, room)}-${uidHash(uid)}`;
}

/** `{service}-task-{taskId}-run-{attempt}-{uid hash}`: a TaskRun attempt's Job. */
export const taskRunJobName = (service: string, taskId: number, attempt: number, uid: string) =>
  runObjectName(`${service}-task-${taskId}-run-${attempt}`, uid);

/**
 * Who a CodeRun acts as, in its names: its GitHub App's word (agentFromGithubApp: the agent, for Apps
 * named by the seed's rule), else its GitHub user (slugged). A name reads no config, so it stays put.
 */
export const codeRunActor = (spec: { githubApp?: string | undefined; githubUser?: string | undefined }) =>
  spec.githubApp ? agentFromGithubApp(spec.githubApp) : slug(spec.githubUser ?? '');

/** `{service}-{actor}-task-{taskId}-v{contextVersion}-{uid hash}`: a CodeRun attempt's Job (actor: codeRunActor). */
export const codeRunJobName = (
  service: string,
  actor: string,
  taskId: number,
  attempt: number,
  uid: string,
) => runObjectName(`${service}-${actor}-task-${taskId}-v${attempt}`, uid);

/**
 * `docs-{run name}-run-{attempt}-{uid hash}`: a DocsRun has no task, so its own name says what it is
 * (slugged: a run name may hold dots, a DNS label may not).
 */
export const docsRunJobName = (runName: string, attempt: number, uid: string) =>
  runObjectName(`docs-${slug(runName)}-run-${attempt}`, uid);

/** The ConfigMap of an attempt, of any kind: its Job's name and `-files` (runObjectName left room). */
export const filesConfigMapName = (jobName: string) => `${jobName}${FILES_SUFFIX}`;

/**
 * The ConfigMap that keeps a container's log after the attempt's pod is gone: a ConfigMap name may be a
 * DNS subdomain (253), so a Job name (63 at most) and a container name fit whole.
 */
export const keptLogName = (jobName: string, container: string) => `${jobName}-log-${container}`;

/** Where the workspace volume is mounted in the agent's pod. */
export const WORKSPACE_ROOT = '/workspace';
/** Where the attempt's ConfigMap is mounted (whole, without items). */
export const TASK_FILES_DIR = '/task-files';
/** Where the pod's own volume of what the prepare phase read from the base branch is mounted. */
export const BASE_BRANCH_DIR = '/base-branch';

/**
 * An attempt's directory under the workspace root (no trailing slash): a task's runs under its
 * service's folder, `{root}/{service}/.task/{taskId}/run-{attempt}`; a DocsRun's under the docs folder,
 * `{root}/docs/.task/docs/run-{attempt}`.
 */
export function runDirectory(
  where: { service: string; taskId: number } | 'docs',
  attempt: number,
  root = WORKSPACE_ROOT,
): string {
  return where === 'docs'
    ? `${root}/docs/.task/docs/run-${attempt}`
    : `${root}/${where.service}/.task/${where.taskId}/run-${attempt}`;
}

/**
 * `github-{key}`: a run named after what asked for it on GitHub (a delivery id, a failed commit), so
 * that asking again, from any replica or after a restart, finds the name taken (409). A key that is
 * not already lower-case name characters also gets a hash of itself: `ABC` and `abc` stay apart.
 */
export function githubRunName(key: string): string {
  const readable = `github-${slug(key)}`;
  if (slug(key) === key) return boundedName(readable);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, HASH_LENGTH);
  return boundedName(`${readable.replace(/-+$/, '')}-${hash}`);
}
