// A notification as each sink takes it (docs/notifications.md): a generic webhook gets the event as JSON,
// signed with HMAC-SHA256 as GitHub signs its deliveries; Slack gets a line of text. Nothing in either
// comes from the agent: the run's identity, phase, pull request, cost and the operator's own message.
import { createHmac } from 'node:crypto';
import { LABELS, type Run } from '../../api/index.js';
import { definedFields } from '../../util/index.js';
import type { NotificationEvent } from './events.js';

export interface Notification {
  event: NotificationEvent;
  run: { kind: string; namespace: string; name: string; uid: string };
  agent?: string;
  phase?: string;
  attempt?: number;
  pullRequestUrl?: string;
  costUsd?: string;
  /** Why it ended or waits: the operator's status message. */
  reason?: string;
  /** The run's link: the config's runUrl, else its pull request. */
  link?: string;
  /** When it happened (RFC 3339). */
  at: string;
}

/** The header that carries the body's signature: `sha256=` and the hex HMAC-SHA256 of the body. */
export const SIGNATURE_HEADER = 'X-Orchestrator-Signature-256';

/** `{namespace}`, `{kind}` and `{name}` of `template` replaced by the run's (URI-encoded). */
export const runLink = (template: string, run: Notification['run']): string =>
  template.replace(/\{(namespace|kind|name)\}/g, (_, key: 'namespace' | 'kind' | 'name') =>
    encodeURIComponent(run[key]),
  );

export function notification(run: Run, event: NotificationEvent, at: string, runUrl?: string): Notification {
  const m = run.metadata ?? {};
  const s = run.status ?? {};
  const id = { kind: run.kind ?? '', namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' };
  const link = runUrl ? runLink(runUrl, id) : s.pullRequestUrl;
  const reason = event === 'failed' || event === 'budget-reached' ? s.message : undefined;
  return {
    event,
    run: id,
    ...definedFields({
      agent: m.labels?.[LABELS.agent],
      phase: s.phase,
      attempt: s.attempt,
      pullRequestUrl: s.pullRequestUrl,
      costUsd: s.usage?.costUsd,
      reason,
      link,
    }),
    at,
  };
}

/** `sha256=…` of `body` under `key`. */
export const signature = (key: string, body: string): string =>
  `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

const WORDS: Record<NotificationEvent, string> = {
  started: 'started',
  'budget-reached': 'reached a budget',
  'pull-request': 'opened a pull request',
  succeeded: 'succeeded',
  failed: 'failed',
};

/** Slack's mrkdwn control characters, escaped as its docs say. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack incoming webhook's body: one line, the link and pull request as Slack links. */
export function slackBody(n: Notification): string {
  const who = `${n.run.kind} ${n.run.namespace}/${n.run.name}`;
  const title = n.link ? `<${n.link}|${slackEscape(who)}>` : slackEscape(who);
  const parts = [`${title} ${WORDS[n.event]}`];
  if (n.pullRequestUrl && n.event !== 'started') parts.push(`<${n.pullRequestUrl}|pull request>`);
  if (n.costUsd) parts.push(`$${slackEscape(n.costUsd)}`);
  if (n.reason) parts.push(slackEscape(n.reason));
  return JSON.stringify({ text: parts.join(' · ') });
}
