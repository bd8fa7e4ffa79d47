// The remediation CodeRun: the previous run of the task continued (same service, repositories, agent
// and settings; the next context version; its session), with the feedback to act on in
// spec.remediation, which the prompt quotes. Every value taken from the payload is bounded here to
// what the schema admits, so a delivery can never produce a run the apiserver refuses.
import {
  API_VERSION,
  type CodeRun,
  type ControllerConfig,
  type DefaultedRun,
  ANNOTATIONS as RUN_ANNOTATIONS,
  runLabels,
} from '../api/index.js';
import type { Target } from './mapping.js';

export const ANNOTATIONS = Object.freeze({
  delivery: 'orchestrator.io/github-delivery',
  event: 'orchestrator.io/github-event',
  continues: 'orchestrator.io/continues',
});

const MAX_FEEDBACK = 60_000;
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

/** At most MAX_FEEDBACK characters (code points, as the schema counts), saying where the rest is. */
function boundedText(text: string, url: string | undefined): string {
  const chars = Array.from(text);
  if (chars.length <= MAX_FEEDBACK) return text;
  return `${chars.slice(0, MAX_FEEDBACK).join('')}\n\n[truncated: the full text is at ${url ?? 'GitHub'}]`;
}

const httpsUrl = (url: string | undefined) =>
  url?.startsWith('https://') && url.length <= 2048 ? url : undefined;

export interface RemediationInput {
  /** As defaulted() returns it (previous-run.ts). */
  previous: DefaultedRun<'CodeRun'>;
  target: Target;
  name: string;
  delivery: string;
  event: string;
}

export function remediationRun(input: RemediationInput, config: ControllerConfig): CodeRun {
  const { previous, target, name, delivery, event } = input;
  const { feedback } = target;
  const { contextVersion, continueSession, remediation, ...kept } = previous.spec;
  const url = httpsUrl(feedback.url);
  const sessionId = previous.status?.sessionId;
  const submitter = previous.metadata?.annotations?.[RUN_ANNOTATIONS.submittedBy];
  const spec: CodeRun['spec'] = {
    ...kept,
    contextVersion: contextVersion + 1,
    continueSession: true,
    // The memory file carries what the agent learnt on the task: keep it.
    overwriteMemory: false,
    remediation: {
      trigger: feedback.trigger,
      feedback: boundedText(feedback.text, url),
      ...(feedback.author && feedback.author.length <= 100 ? { author: feedback.author } : {}),
      ...(url ? { url } : {}),
      ...(httpsUrl(feedback.pullRequestUrl) ? { pullRequestUrl: feedback.pullRequestUrl } : {}),
      ...(sessionId && SESSION_ID.test(sessionId) ? { sessionId } : {}),
    },
  };
  return {
    apiVersion: API_VERSION,
    kind: 'CodeRun',
    metadata: {
      name,
      namespace: target.repository.namespace,
      labels: runLabels('CodeRun', spec, config),
      annotations: {
        [ANNOTATIONS.delivery]: delivery.slice(0, 256),
        [ANNOTATIONS.event]: event,
        [ANNOTATIONS.continues]: previous.metadata?.name ?? '',
        // It continues the previous run's work in its workspace, for its submitter: the manager is trusted
        // to state the submitter (src/admission/submitter.ts), and the workspace is theirs
        // (src/controllers/reconcile/workspace-tenancy.ts).
        ...(submitter ? { [RUN_ANNOTATIONS.submittedBy]: submitter } : {}),
      },
    },
    spec,
  };
}
