// What an issue's run would make its pod use, asked of RBAC for the run's configured submitter
// (githubWebhook.repositories[].issues.submitter, decision 0082). The admission webhook trusts the
// manager's runs and asks nothing about them (src/admission/reference-review.ts), as for the REST API's
// callers (src/rest/runs.ts): so the manager asks here, before it creates the run. What is asked about
// is the run with the config's defaults (the agent profile a run naming none gets); its schema and rules
// are the webhook's to judge after, at no cost to the delivery's 10 s.
import {
  admitOffline,
  judgeReferences,
  referenceDenial,
  referencesToCheck,
  specOf,
} from '../admission/index.js';
import type { ControllerConfig, TaskRun } from '../api/index.js';
import type { AccessReviewer, UserInfo } from '../auth/index.js';

const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):[^:]+$/;

/** The submitter as RBAC sees it: a ServiceAccount with the groups the apiserver gives every one. */
export function submitterInfo(username: string): UserInfo {
  const ns = SERVICE_ACCOUNT.exec(username)?.[1];
  const groups = ns
    ? ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']
    : ['system:authenticated'];
  return { username, groups };
}

export type SubmitterVerdict = { allowed: true } | { refused: string; status: 403 | 503 };

/** Whether the run's submitter may make it; the reason when not. */
export async function submitterVerdict(
  run: TaskRun,
  submitter: string,
  config: ControllerConfig,
  reviewer: AccessReviewer | undefined,
  /** The config field that names the submitter, for the refusal. */
  field = 'repositories[].issues.submitter',
): Promise<SubmitterVerdict> {
  const name = run.metadata?.name ?? '';
  const checks = referencesToCheck({
    kind: 'TaskRun',
    // As admission would store it, as the REST API asks about its callers' runs (src/rest/runs.ts).
    spec: specOf(admitOffline('TaskRun', run as Record<string, unknown>, config).admitted),
    config,
    // Its namespace's team MCP servers' Secrets are among what it uses (src/api/mcp-servers.ts).
    namespace: run.metadata?.namespace ?? '',
  });
  if (checks.length === 0) return { allowed: true };
  if (!reviewer)
    return {
      status: 503,
      refused: `no access reviewer to ask whether ${submitter} may make TaskRun ${name}`,
    };
  const findings = await judgeReferences(
    reviewer,
    submitterInfo(submitter),
    run.metadata?.namespace ?? '',
    checks,
  );
  if (findings.length === 0) return { allowed: true };
  const denial = referenceDenial('TaskRun', name, findings);
  return {
    status: denial.code,
    refused: `${submitter} (${field}): ${denial.message}`,
  };
}
