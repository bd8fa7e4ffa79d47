// Notifications against the real apiserver (docs/notifications.md): the run controllers with sinks in
// their config follow a TaskRun through its Job (the test plays the Job's pod) and post each event to
// receivers of the test's: a signed webhook, a Slack one. A sink that fails for a while is tried again;
// one that refuses for good is given up with an Event; a new leader sends nothing twice.
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ANNOTATIONS, RESULT_PROTOCOL, type TaskRun } from '../../src/api/index.js';
import {
  finishJob,
  sampleTaskRun,
  startOperator,
  taskRunPath,
  testConfig,
  untilAttemptJob,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { notificationReceiver, type Received } from '../harness/remote/notification-receiver.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const PR = 'https://github.com/acme/payments/pull/12';
const KEY = 'whsec-test-key';

/** A receiver answering `answers` in turn (then 200), closed after `t`. */
async function receiver(t: Test, answers: number[] = []) {
  const r = await notificationReceiver(answers);
  t.teardown(r.close);
  return r;
}

const secretFile = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'notify-')), name);
  writeFileSync(path, `${text}\n`);
  return path;
};

const events = (got: Received[]) => got.map((r) => JSON.parse(r.body).event ?? r.body);

t.test(
  'a run followed to its pull request: each event once to each sink, signed, recorded on the run',
  async (t) => {
    const hook = await receiver(t, [503]);
    const slack = await receiver(t);
    const refusing = await receiver(t, [410]);
    const config = testConfig((c) => {
      c.notifications = {
        runUrl: 'https://console.example.com/runs/{namespace}/{kind}/{name}',
        sinks: [
          { name: 'team', type: 'webhook', url: hook.url, signingKeyFile: secretFile('key', KEY) },
          {
            name: 'chat',
            type: 'slack',
            urlFile: secretFile('url', slack.url),
            events: ['succeeded', 'failed'],
          },
          { name: 'gone', type: 'webhook', url: refusing.url, events: ['succeeded'] },
          { name: 'elsewhere', type: 'webhook', url: hook.url, namespaces: ['another-team'] },
        ],
      };
    });
    const op = await suite.start(t, config);
    const { namespace, client } = op;
    await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-7') });
    const job = await untilAttemptJob(client, namespace, 'TaskRun', 'pay-7');
    await waitFor('the started notification, after a 503', () => hook.got.length >= 2);
    t.same(events(hook.got.slice(0, 2)), ['started', 'started'], 'the 503 was tried again');
    await finishJob(
      client,
      namespace,
      job,
      'Complete',
      JSON.stringify({ protocol: RESULT_PROTOCOL, workCompleted: true, pullRequestUrl: PR }),
    );
    await waitFor('the pull-request and succeeded notifications', () => hook.got.length >= 4);
    await waitFor("Slack's", () => slack.got.length >= 1);
    const run = await waitFor('the record of every sink', async () => {
      const r = await client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-7'));
      return r.metadata?.annotations?.[ANNOTATIONS.notified]?.includes('gone/') ? r : undefined;
    });
    t.equal(
      run.metadata?.annotations?.[ANNOTATIONS.notified],
      'chat/succeeded,gone/succeeded,team/pull-request,team/started,team/succeeded',
      'what was sent (or given up), and nothing for the sink of another namespace',
    );
    t.same(events(hook.got), ['started', 'started', 'pull-request', 'succeeded']);
    const last = hook.got[3] as Received;
    const body = JSON.parse(last.body);
    t.match(body, {
      event: 'succeeded',
      run: { kind: 'TaskRun', namespace, name: 'pay-7', uid: run.metadata?.uid },
      phase: 'Succeeded',
      pullRequestUrl: PR,
      link: `https://console.example.com/runs/${namespace}/TaskRun/pay-7`,
    });
    t.equal(
      last.headers['x-orchestrator-signature-256'],
      `sha256=${createHmac('sha256', KEY).update(last.body).digest('hex')}`,
      'signed with the key of the file (its trailing newline not part of it)',
    );
    t.equal(last.headers['x-orchestrator-delivery'], `${run.metadata?.uid}.succeeded`);
    t.match(JSON.parse(slack.got[0]?.body ?? '{}'), {
      text: new RegExp(
        `^<https://console\\.example\\.com/runs/${namespace}/TaskRun/pay-7\\|TaskRun ${namespace}/pay-7> succeeded · <${PR}\\|pull request>`,
      ),
    });
    t.equal(refusing.got.length, 1, 'a 410 is final: not tried again');
    const warned = await waitFor('the Event of the sink given up', async () => {
      const list = await client.request<{ items: { reason?: string; message?: string }[] }>(
        'GET',
        `/api/v1/namespaces/${namespace}/events`,
      );
      return list.items.find((e) => e.reason === 'NotificationFailed');
    });
    t.equal(warned.message, 'the succeeded notification to sink gone was not sent: it answered 410');
    t.notOk(JSON.stringify(warned).includes('127.0.0.1'), 'the Event names the sink, not its URL');

    // A new leader reads the record: it sends nothing again.
    await op.stop();
    const again = await startOperator(t, suite.cluster, namespace, config);
    await waitFor("the new leader's notifier to read the run", async () =>
      (await again.reconciles('notifications-taskrun')) >= 1 ? true : undefined,
    );
    t.equal(hook.got.length, 4, 'nothing sent twice');
    t.equal(slack.got.length, 1);
  },
);
