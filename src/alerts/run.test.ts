// The TaskRun an alert starts: every field the route's (the alert reaches only the prompt), named by
// the firing, so a resend of a firing names the same run and a new firing another.
import t from 'tap';
import { alertsConfig, PAYMENTS_ROUTE } from '../../test/harness/fakes/alert-routes.js';
import { ANNOTATIONS, LABELS } from '../api/index.js';
import type { Alert } from './payload.js';
import { ALERT_LABELS, alertRun, alertRunName, routeAgent } from './run.js';

const config = alertsConfig();
const route = config.alerts.routes[0];
if (!route) throw new Error('the test config has a route');

const firing = (over: Partial<Alert> = {}): Alert => ({
  status: 'firing',
  labels: { alertname: 'PaymentsCaptureErrors', severity: 'critical' },
  annotations: {},
  startsAt: '2026-11-29T08:14:03.512Z',
  fingerprint: '5e2c1a0b9d7f4e31',
  ...over,
});

t.test('one name per firing: the route, the fingerprint and the start', async (t) => {
  const name = alertRunName(route, firing());
  t.match(name, /^alert-payments-errors-[0-9a-f]{12}$/);
  t.equal(
    alertRunName(route, firing({ annotations: { summary: 'changed' } })),
    name,
    'a resend, its annotations changed',
  );
  t.not(
    alertRunName(route, firing({ startsAt: '2026-11-30T08:14:03.512Z' })),
    name,
    'the alert firing again',
  );
  t.not(alertRunName(route, firing({ fingerprint: '0000000000000001' })), name, 'another alert');
  t.not(alertRunName({ ...route, name: 'other' }, firing()), name, 'another route');
  t.ok(alertRunName({ ...route, name: 'r'.repeat(40) }, firing()).length <= 63);
});

t.test('every field is the route’s; labels and annotations name the route and the firing', async (t) => {
  const hostile = firing({
    labels: {
      alertname: 'PaymentsCaptureErrors',
      namespace: 'kube-system',
      repository: 'evil/repo',
      branch: 'x',
    },
  });
  const run = alertRun({ ...route, branch: 'release', model: 'claude-sonnet-4-5' }, hostile, 'rex', config);
  t.match(run.metadata, {
    name: alertRunName(route, hostile),
    namespace: 'team-a',
    labels: {
      [LABELS.agent]: 'rex',
      [LABELS.service]: 'payments',
      [ALERT_LABELS.route]: 'payments-errors',
      [ALERT_LABELS.fingerprint]: '5e2c1a0b9d7f4e31',
    },
    annotations: {
      [ANNOTATIONS.submittedBy]: 'system:serviceaccount:team-a:alerts',
      'orchestrator.io/alert-starts-at': '2026-11-29T08:14:03.512Z',
      'orchestrator.io/alertname': 'PaymentsCaptureErrors',
    },
  });
  t.match(run.spec, {
    agent: 'rex',
    model: 'claude-sonnet-4-5',
    serviceName: 'payments',
    repository: { url: 'https://github.com/acme/payments', branch: 'release' },
    prompt: /"namespace": "kube-system"/,
  });
  t.equal(run.metadata?.labels?.[LABELS.taskId], String(run.spec.taskId));
});

t.test(
  'a route whose agent acts as nobody starts nothing; an unknown agent is refused at load',
  async (t) => {
    t.same(routeAgent(route, config), { agent: config.defaultAgent });
    const appless = structuredClone(config);
    appless.agents.rex = { ...appless.agents.rex, githubApp: undefined } as never;
    t.match(routeAgent(route, appless), {
      problem: /names no githubApp and alerts\.routes\[\]\.githubUser is not set/,
    });
    t.same(routeAgent({ ...route, githubUser: 'octocat' }, appless), { agent: 'rex' });
    t.throws(
      () => alertsConfig({ routes: [{ ...PAYMENTS_ROUTE, agent: 'ghost' }] }),
      /alerts\.routes\[0\]\.agent.*"ghost": not one of the agents/,
    );
    t.throws(
      () => alertsConfig({ routes: [PAYMENTS_ROUTE, PAYMENTS_ROUTE] }),
      /alerts\.routes\[1\]\.name.*Duplicate value/,
    );
  },
);
