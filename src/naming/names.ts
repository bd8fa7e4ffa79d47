// Object names derived from a run (DESIGN.md §4). Every name is a valid DNS-1123 label of at most 63
// characters: a longer one is cut and given a short stable hash of the full name, so two long names
// that share a prefix still differ, and the same run always gets the same name.
import { createHash } from 'node:crypto';

export const MAX_NAME = 63;
const HASH_LENGTH = 8;

export function boundedName(full: string, max = MAX_NAME): string {
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const prefix = full.slice(0, max - HASH_LENGTH - 1).replace(/[-.]+$/, '');
  return `${prefix}-${hash}`;
}

/** `5DLabs-Cleo` → `cleo`: the agent is the part after the organisation, lower-cased. */
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

/** `docs/api` → `docs-workspace-docs-api`. */
export function docsWorkspacePvcName(workingDirectory: string): string {
  return boundedName(`docs-workspace-${slug(workingDirectory) || 'root'}`);
}

export const taskRunJobName = (service: string, taskId: number, attempt: number) =>
  boundedName(`${service}-task-${taskId}-run-${attempt}`);

export const taskRunConfigMapName = (service: string, taskId: number, attempt: number) =>
  boundedName(`${service}-task-${taskId}-run-${attempt}-files`);

export const taskRunWorkspacePath = (service: string, taskId: number, attempt: number) =>
  `/workspace/${service}/.task/${taskId}/run-${attempt}/`;
