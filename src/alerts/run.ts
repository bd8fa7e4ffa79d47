// The TaskRun an alert starts (decision 0086): a prompt run (decision 0079) on the route's repository
// and branch, in the route's namespace, as the route's agent and submitter. Every field is the route's;
// the alert reaches only the prompt (prompt.ts), and the name and labels through its fingerprint and
// start, hashed. The name is one per firing: Alertmanager sends a firing alert again at each
// repeat_interval and each change of its group, and each sending's create meets the first run (409).
import { createHash } from 'node:crypto';
import {
  ANNOTATIONS,
  API_VERSION,
  type ControllerConfig,
  promptService,
  promptTaskId,
  runLabels,
  type TaskRun,
} from '../api/index.js';
import { boundedName } from '../naming/index.js';
import type { Alert } from './payload.js';
import { alertPrompt } from './prompt.js';
import type { AlertRoute } from './routing.js';

export const ALERT_LABELS = Object.freeze({
  /** The route that started the run. */
  route: 'orchestrator.io/alert-route',
  /** The alert's fingerprint (the sender's; a label value by payload.ts's bound). */
  fingerprint: 'orchestrator.io/alert-fingerprint',
});

export const ALERT_ANNOTATIONS = Object.freeze({
  /** The firing's start, as sent. */
  startsAt: 'orchestrator.io/alert-starts-at',
  /** The alert's alertname label, for a reader of the run. */
  alertname: 'orchestrator.io/alertname',
});

/** `alert-{route}-{hash of fingerprint and start}`: the same firing, the same name, on every sending. */
export function alertRunName(route: AlertRoute, alert: Alert): string {
  const firing = createHash('sha256')
    .update(`${route.name}\n${alert.fingerprint}\n${alert.startsAt}`)
    .digest('hex')
    .slice(0, 12);
  return boundedName(`alert-${route.name}-${firing}`);
}

/** The agent profile of a route's runs, or why there is none to act as. */
export function routeAgent(
  route: AlertRoute,
  config: ControllerConfig,
): { agent: string } | { problem: string } {
  const agent = route.agent ?? config.defaultAgent;
  const profile = Object.hasOwn(config.agents, agent) ? config.agents[agent] : undefined;
  if (!profile) return { problem: `the agent profile ${agent} (alerts.routes[].agent) is not in agents` };
  if (!route.githubUser && !profile.githubApp)
    return {
      problem: `the agent profile ${agent} names no githubApp and alerts.routes[].githubUser is not set: the run would act as nobody`,
    };
  return { agent };
}

export function alertRun(route: AlertRoute, alert: Alert, agent: string, config: ControllerConfig): TaskRun {
  const url = `https://${config.github.host}/${route.repository}`;
  const branch = route.branch ?? 'main';
  const prompt = alertPrompt(route, alert);
  const spec: TaskRun['spec'] = {
    taskId: promptTaskId(prompt, url, branch),
    serviceName: promptService(url) ?? 'alert',
    prompt,
    agent,
    ...(route.model ? { model: route.model } : {}),
    repository: { url, branch, ...(route.githubUser ? { githubUser: route.githubUser } : {}) },
  };
  const alertname = alert.labels.alertname;
  return {
    apiVersion: API_VERSION,
    kind: 'TaskRun',
    metadata: {
      name: alertRunName(route, alert),
      namespace: route.namespace,
      labels: {
        ...runLabels('TaskRun', spec, config),
        [ALERT_LABELS.route]: route.name,
        [ALERT_LABELS.fingerprint]: alert.fingerprint,
      },
      annotations: {
        // The route's submitter: admission trusts the manager to state it (src/admission/submitter.ts),
        // and the manager asked RBAC about it before creating the run (router.ts).
        [ANNOTATIONS.submittedBy]: route.submitter,
        [ALERT_ANNOTATIONS.startsAt]: alert.startsAt,
        ...(alertname ? { [ALERT_ANNOTATIONS.alertname]: alertname.slice(0, 256) } : {}),
      },
    },
    spec,
  };
}
