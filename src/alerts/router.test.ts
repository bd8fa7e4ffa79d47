// The endpoint on a koa app of its own, against the in-memory API and RBAC: who may talk to it (the
// token, read before the body; off without one), what it answers, what it creates and counts.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { RuleReviewer } from '../../test/harness/fakes/access-reviewers.js';
import { alertsConfig } from '../../test/harness/fakes/alert-routes.js';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { alertPayload, bearer, postNotification } from '../../test/harness/remote/alert-sender.js';
import type { ControllerConfig, TaskRun } from '../api/index.js';
import { alertsWebhookRouter } from './router.js';
import { ALERT_LABELS } from './run.js';

const TOKEN = 'al3rt-t0ken';
const TASKRUNS = '/apis/orchestrator.io/v1/namespaces/team-a/agenttaskruns';

async function endpoint(
  t: { teardown(fn: () => unknown): void },
  opts: { tokens?: string[]; api?: FakeApi; config?: ControllerConfig; reviewer?: RuleReviewer } = {},
) {
  const api = opts.api ?? new FakeApi();
  const registry = new Registry();
  const reviewer = opts.reviewer ?? new RuleReviewer();
  const config = opts.config ?? alertsConfig();
  const router = alertsWebhookRouter({
    api,
    config: () => config,
    tokens: () => opts.tokens ?? [TOKEN],
    reviewer,
    registry,
    logger: pino({ level: 'silent' }),
    // Not the shipped 10 s: beside CI's other lanes a first answer took longer, and no test here is
    // about the deadline.
    timeoutMs: 300_000,
  });
  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/alerts`;
  const counted = async () =>
    Object.fromEntries(
      ((await registry.getSingleMetric('orchestrator_alert_runs_total')?.get())?.values ?? []).map((v) => [
        `${v.labels.route}/${v.labels.outcome}`,
        v.value,
      ]),
    );
  return { api, url, reviewer, counted };
}

const notification = (change?: Parameters<typeof alertPayload>[1]) =>
  JSON.stringify(alertPayload('alertmanager', change));

t.test('a firing alert starts its route’s run once; a resend and a resolve start nothing', async (t) => {
  const { api, url, reviewer, counted } = await endpoint(t);
  const first = await postNotification(url, bearer(TOKEN), notification());
  t.equal(first.status, 200, JSON.stringify(first.body));
  t.match(first.body, { sender: 'alertmanager', started: 1, 'already-started': 0 });
  const name = first.body.alerts[0].run.name;
  const run = api.objects.get(`${TASKRUNS}/${name}`) as TaskRun;
  t.match(run.metadata?.labels, {
    [ALERT_LABELS.route]: 'payments-errors',
    [ALERT_LABELS.fingerprint]: '5e2c1a0b9d7f4e31',
  });
  t.match(run.spec.prompt, /"summary": "Card captures fail for more than 5% of requests"/);
  t.ok(
    reviewer.asked.some((q) => q.user.username === 'system:serviceaccount:team-a:alerts'),
    'RBAC was asked about the route’s submitter',
  );

  // Alertmanager's repeat_interval: the same firing again, its group changed.
  const again = await postNotification(
    url,
    bearer(TOKEN),
    notification((p) => {
      p.groupKey = 'another';
      p.alerts[0].annotations.description = 'now 0.09';
    }),
  );
  t.match(again.body, { started: 0, 'already-started': 1, alerts: [{ run: { name } }] });
  const asked = reviewer.asked.length;

  const resolved = await postNotification(
    url,
    bearer(TOKEN),
    notification((p) => {
      p.status = 'resolved';
      p.alerts[0].status = 'resolved';
      p.alerts[0].endsAt = '2026-11-29T09:00:00Z';
    }),
  );
  t.match(resolved.body, { started: 0, resolved: 1 });
  t.equal(reviewer.asked.length, asked, 'a resend or a resolve asks RBAC nothing');
  t.same([...api.objects.keys()], [`${TASKRUNS}/${name}`], 'one run in all');
  t.same(await counted(), {
    'payments-errors/started': 1,
    'payments-errors/already-started': 1,
    'payments-errors/resolved': 1,
  });
});

t.test('a Grafana notification: the same contract, routed by its labels', async (t) => {
  const route = {
    ...alertsConfig().alerts.routes[0],
    name: 'ledger-lag',
    match: { alertname: 'LedgerLagHigh' },
  };
  const { api, url } = await endpoint(t, { config: alertsConfig({ routes: [route] }) });
  const answer = await postNotification(url, bearer(TOKEN), JSON.stringify(alertPayload('grafana')));
  t.match(answer.body, { sender: 'grafana', started: 1 });
  t.equal(api.objects.size, 1);
});

t.test(
  'unmatched, skipped, and refused by RBAC: answered 200 with the counts, nothing created',
  async (t) => {
    const reviewer = new RuleReviewer(() => false);
    const { api, url, counted } = await endpoint(t, {
      reviewer,
      config: alertsConfig({ maxAlerts: 2 }),
    });
    const answer = await postNotification(
      url,
      bearer(TOKEN),
      notification((p) => {
        const [a] = p.alerts;
        p.alerts.push(
          { ...a, labels: { ...a.labels, severity: 'warning' }, fingerprint: '2' },
          { ...a, fingerprint: '3' },
        );
      }),
    );
    t.equal(answer.status, 200);
    t.match(answer.body, { started: 0, refused: 1, unmatched: 1, skipped: 1 });
    t.match(
      answer.body.alerts[0].reason,
      /system:serviceaccount:team-a:alerts \(alerts\.routes\[\]\.submitter\)/,
    );
    t.equal(api.objects.size, 0);
    t.same(await counted(), { 'none/skipped': 1, 'payments-errors/refused': 1, 'none/unmatched': 1 });
  },
);

t.test('the apiserver: a race is already started, a refusal rejected, an outage 503', async (t) => {
  const api = new FakeApi();
  const { url } = await endpoint(t, { api });
  api.failNext('POST', TASKRUNS, apiError(409));
  t.match((await postNotification(url, bearer(TOKEN), notification())).body, { 'already-started': 1 });
  api.failNext('POST', TASKRUNS, apiError(422, 'Invalid', 'spec.prompt: Too long'));
  const rejected = await postNotification(url, bearer(TOKEN), notification());
  t.match(rejected.body, { rejected: 1, alerts: [{ reason: /spec\.prompt: Too long/ }] });
  api.failNext('POST', TASKRUNS, apiError(500));
  const down = await postNotification(url, bearer(TOKEN), notification());
  t.equal(down.status, 503, 'Alertmanager retries a 5xx');
  t.match(down.body.message, /the Kubernetes API is unavailable/);
});

t.test('without the token: 401 before the body, off without tokens: 404', async (t) => {
  const { api, url } = await endpoint(t);
  for (const header of [undefined, bearer('wrong'), 'Basic YTpi']) {
    const answer = await postNotification(url, header, notification());
    t.equal(answer.status, 401, String(header));
  }
  t.equal(api.calls.length, 0, 'nothing asked of the apiserver');
  const off = await endpoint(t, { tokens: [] });
  const answer = await postNotification(off.url, bearer(TOKEN), notification());
  t.equal(answer.status, 404);
  t.match(answer.body.message, /alerts\.tokenFiles/);
});

t.test('a malformed body: 400 naming the field; not JSON: 400; over the limit: 413', async (t) => {
  const { api, url } = await endpoint(t, { config: alertsConfig({ bodyLimitBytes: 65536 }) });
  const bad = await postNotification(
    url,
    bearer(TOKEN),
    notification((p) => delete p.alerts[0].startsAt),
  );
  t.equal(bad.status, 400);
  t.match(bad.body.message, 'not a notification: alerts[0].startsAt: required, an RFC 3339 time');
  t.equal((await postNotification(url, bearer(TOKEN), '{')).status, 400);
  const big = notification((p) => {
    p.commonAnnotations.padding = 'x'.repeat(70_000);
  });
  t.equal((await postNotification(url, bearer(TOKEN), big)).status, 413);
  t.equal(api.calls.length, 0);
});
