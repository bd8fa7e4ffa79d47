// Notifications as plain functions: the events a status shows, the filters, the messages, and the
// config's rules; the delivery's answers against a local receiver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { notificationReceiver } from '../../../test/harness/remote/notification-receiver.js';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import type { ControllerConfig, Run } from '../../api/index.js';
import { configFrom } from '../../config/load.js';
import { freePort, packageRoot } from '../../util/index.js';
import { deliver } from './delivery.js';
import { happened, wants } from './events.js';
import { notification, runLink, signature, slackBody } from './message.js';

type Sink = ControllerConfig['notifications']['sinks'][number];

const run = (
  status: Record<string, unknown>,
  labels: Record<string, string> = { 'orchestrator.io/agent': 'rex' },
) =>
  ({
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: 'pay-7', namespace: 'team-a', uid: 'u-1', labels },
    spec: {},
    status,
  }) as unknown as Run;

t.test('the events a status shows, in the order a run goes through them', async (t) => {
  t.same(happened(run({ phase: 'Pending' })), []);
  t.same(happened(run({ phase: 'Running', startTime: '2026-11-29T10:00:00Z' })), [
    { event: 'started', at: '2026-11-29T10:00:00Z' },
  ]);
  t.same(
    happened(
      run({
        phase: 'Succeeded',
        completionTime: '2026-11-29T11:00:00Z',
        pullRequestUrl: 'https://github.com/acme/p/pull/1',
      }),
    ).map((h) => h.event),
    ['pull-request', 'succeeded'],
    'a run seen only at its end: no started',
  );
  t.same(
    happened(
      run({
        phase: 'Pending',
        conditions: [
          {
            type: 'Succeeded',
            status: 'Unknown',
            reason: 'BudgetExhausted',
            lastTransitionTime: '2026-11-29T09:00:00Z',
          },
        ],
      }),
    ),
    [{ event: 'budget-reached', at: '2026-11-29T09:00:00Z' }],
    'held by a namespace budget',
  );
  t.same(
    happened(
      run({
        phase: 'Failed',
        completionTime: '2026-11-29T12:00:00Z',
        attemptUsage: [{ attempt: 1, finishedAt: '2026-11-29T11:59:00Z', stopReason: 'BudgetExceeded' }],
      }),
    ),
    [
      { event: 'budget-reached', at: '2026-11-29T11:59:00Z' },
      { event: 'failed', at: '2026-11-29T12:00:00Z' },
    ],
    'stopped at its spend limit, then failed',
  );
});

t.test("a sink's filters: events, namespaces, agents", async (t) => {
  const r = run({});
  const sink = (more: Partial<Sink>): Sink => ({ name: 's', type: 'webhook', url: 'https://x', ...more });
  t.ok(wants(sink({}), 'failed', r, 'rex'), 'no filter: every event of every run');
  t.notOk(wants(sink({ events: ['succeeded'] }), 'failed', r, 'rex'));
  t.notOk(wants(sink({ namespaces: ['team-b'] }), 'failed', r, 'rex'));
  t.ok(wants(sink({ namespaces: ['team-a'], agents: ['rex'] }), 'failed', r, 'rex'));
  t.notOk(wants(sink({ agents: ['cleo'] }), 'failed', r, 'rex'));
  t.notOk(
    wants(sink({ agents: ['rex'] }), 'failed', r, undefined),
    'a run of no known agent: not an agent filter match',
  );
});

t.test('the messages: JSON with the link and reason, Slack text escaped', async (t) => {
  const failed = run({
    phase: 'Failed',
    attempt: 2,
    message: 'attempt 2 failed (<script> & co)',
    usage: { costUsd: '0.42' },
  });
  const n = notification(
    failed,
    'failed',
    '2026-11-29T12:00:00Z',
    'https://c.example/{namespace}/{kind}/{name}',
  );
  t.same(n, {
    event: 'failed',
    run: { kind: 'TaskRun', namespace: 'team-a', name: 'pay-7', uid: 'u-1' },
    agent: 'rex',
    phase: 'Failed',
    attempt: 2,
    costUsd: '0.42',
    reason: 'attempt 2 failed (<script> & co)',
    link: 'https://c.example/team-a/TaskRun/pay-7',
    at: '2026-11-29T12:00:00Z',
  });
  t.equal(
    JSON.parse(slackBody(n)).text,
    '<https://c.example/team-a/TaskRun/pay-7|TaskRun team-a/pay-7> failed · $0.42 · attempt 2 failed (&lt;script&gt; &amp; co)',
  );
  t.equal(runLink('https://c/{name}?ns={namespace}', { ...n.run, name: 'a b' }), 'https://c/a%20b?ns=team-a');
  t.notOk('reason' in notification(failed, 'started', 'x'), 'a start has no reason');
  t.equal(
    signature('Jefe', 'what do ya want for nothing?'),
    'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    "RFC 4231's test case 2",
  );
});

t.test(
  'the config: one of url and urlFile, a key only for a webhook, agents that exist, names once',
  async (t) => {
    const base = seedConfig();
    const refusals = (sinks: unknown[]) => {
      try {
        configFrom({ ...base, notifications: { sinks } });
        return [];
      } catch (err) {
        return (err as { findings: { path: string; message: string }[] }).findings.map(
          (f) => `${f.path}: ${f.message}`,
        );
      }
    };
    t.same(refusals([{ name: 'a', type: 'slack', urlFile: '/s/url' }]), []);
    t.same(refusals([{ name: 'a', type: 'webhook' }]), [
      'notifications.sinks[0].url: Invalid value: give exactly one of url and urlFile',
    ]);
    t.same(refusals([{ name: 'a', type: 'webhook', url: 'https://x', urlFile: '/u' }]), [
      'notifications.sinks[0].url: Invalid value: give exactly one of url and urlFile',
    ]);
    t.same(refusals([{ name: 'a', type: 'slack', urlFile: '/u', signingKeyFile: '/k' }]), [
      'notifications.sinks[0].signingKeyFile: Forbidden: Slack does not check signatures; the URL is the secret (urlFile)',
    ]);
    t.match(refusals([{ name: 'a', type: 'webhook', url: 'https://x', agents: ['nobody'] }]), [
      /^notifications\.sinks\[0\]\.agents\[0\]: Invalid value: "nobody": not one of the agents/,
    ]);
    t.same(
      refusals([
        { name: 'a', type: 'webhook', url: 'https://x' },
        { name: 'a', type: 'webhook', url: 'https://y' },
      ]),
      ['notifications.sinks[1].name: Duplicate value: "a": each sink needs its own name'],
    );
    t.match(refusals([{ name: 'a', type: 'webhook', url: 'ftp://x' }]), [/notifications\.sinks\[0\]\.url/]);
    const page = readFileSync(join(packageRoot(), 'docs', 'notifications.md'), 'utf8');
    const example = parse(/```yaml\n([\s\S]*?)```/.exec(page)?.[1] ?? '') as {
      notifications: { sinks: unknown[] };
    };
    t.equal(example.notifications.sinks.length, 2, "docs/notifications.md's example");
    t.same(refusals(example.notifications.sinks), [], 'is a valid config');
  },
);

t.test(
  'delivery: 2xx sent, 5xx/429 again, other answers final, no answer again; the URL in no word',
  async (t) => {
    const answers = [200, 503, 429, 404];
    const receiver = await notificationReceiver(answers);
    t.teardown(receiver.close);
    const url = receiver.url.replace('/hook', '/secret-path');
    const n = notification(run({ phase: 'Running' }), 'started', 'x');
    const sink: Sink = { name: 's', type: 'webhook', url };
    const signal = new AbortController().signal;
    t.same(await deliver(sink, n, signal), { sent: true });
    t.same(await deliver(sink, n, signal), { sent: false, again: true, why: 'it answered 503' });
    t.same(await deliver(sink, n, signal), { sent: false, again: true, why: 'it answered 429' });
    t.same(await deliver(sink, n, signal), { sent: false, again: false, why: 'it answered 404' });
    const closed = await deliver(
      { ...sink, url: `http://127.0.0.1:${await freePort()}/secret-path` },
      n,
      signal,
    );
    t.match(closed, { sent: false, again: true, why: 'ECONNREFUSED' });
    const missing = await deliver(
      { name: 's', type: 'slack', urlFile: '/nonexistent/secret-path' },
      n,
      signal,
    );
    t.same(missing, { sent: false, again: true, why: 'cannot read its urlFile file: ENOENT' });
    for (const o of [closed, missing]) t.notOk(JSON.stringify(o).includes('secret-path'));
  },
);
