// The notification read against both senders' contracts (test/fixtures/alerts): what is kept, what is
// derived, what is bounded, and every refusal naming its field and rule.
import t from 'tap';
import { alertPayload, type Notification } from '../../test/harness/remote/alert-sender.js';
import { labelsFingerprint, MAX_PAIRS, readNotification } from './payload.js';

t.test("Alertmanager's version 4 payload: the alert as sent", async (t) => {
  const read = readNotification(alertPayload('alertmanager'), 20);
  if ('problem' in read) throw new Error(read.problem);
  t.equal(read.sender, 'alertmanager');
  t.equal(read.receiver, 'orchestrator');
  t.equal(read.skipped, 0);
  t.same(read.alerts, [
    {
      status: 'firing',
      labels: {
        alertname: 'PaymentsCaptureErrors',
        instance: 'payments-7d9f8c6b5-x2k4p',
        service: 'payments',
        severity: 'critical',
        team: 'payments',
      },
      annotations: {
        summary: 'Card captures fail for more than 5% of requests',
        description: 'capture_errors_total / capture_requests_total has been 0.083 for 10 minutes',
        runbook_url: 'https://runbooks.example.com/payments/capture-errors',
      },
      startsAt: '2026-11-29T08:14:03.512Z',
      fingerprint: '5e2c1a0b9d7f4e31',
      generatorURL:
        'http://prometheus.monitoring.svc:9090/graph?g0.expr=capture_error_ratio+%3E+0.05&g0.tab=1',
    },
  ]);
});

t.test("Grafana's version 1 payload: its extra fields ignored", async (t) => {
  const read = readNotification(alertPayload('grafana'), 20);
  if ('problem' in read) throw new Error(read.problem);
  t.equal(read.sender, 'grafana');
  t.match(read.alerts, [
    {
      status: 'firing',
      labels: { alertname: 'LedgerLagHigh', service: 'ledger' },
      startsAt: '2026-11-29T09:02:00+01:00',
      fingerprint: 'a81f03c2d4e5b697',
    },
  ]);
  t.notOk('values' in (read.alerts[0] ?? {}), 'values, silenceURL and the rest are not kept');
});

t.test('past maxAlerts the rest are skipped, not read', async (t) => {
  const body = alertPayload('alertmanager', (p) => {
    p.alerts.push({ ...p.alerts[0], fingerprint: 'b' }, { broken: true });
  });
  const read = readNotification(body, 2);
  if ('problem' in read) throw new Error(read.problem);
  t.equal(read.alerts.length, 2);
  t.equal(read.skipped, 1, 'the third, malformed as it is, is only counted');
});

t.test('a sender without a fingerprint: one derived from the labels, whatever their order', async (t) => {
  const read = readNotification(
    alertPayload('alertmanager', (p) => {
      delete p.alerts[0].fingerprint;
    }),
    20,
  );
  if ('problem' in read) throw new Error(read.problem);
  const labels = read.alerts[0]?.labels ?? {};
  t.match(read.alerts[0]?.fingerprint, /^[0-9a-f]{16}$/);
  t.equal(
    read.alerts[0]?.fingerprint,
    labelsFingerprint(Object.fromEntries(Object.entries(labels).reverse())),
  );
  t.not(labelsFingerprint({ a: 'b' }), labelsFingerprint({ a: 'c' }));
});

t.test('a label named __proto__ is a label, not a prototype', async (t) => {
  const read = readNotification(
    JSON.parse(
      JSON.stringify(alertPayload('alertmanager')).replace('"instance"', '"__proto__":"x","instance"'),
    ),
    20,
  );
  if ('problem' in read) throw new Error(read.problem);
  const labels = read.alerts[0]?.labels ?? {};
  t.equal(Object.getPrototypeOf(labels), Object.prototype);
  t.ok(Object.hasOwn(labels, '__proto__'));
});

t.test('each break of the contract is refused, naming the field and the rule', async (t) => {
  const cases: [string, (p: Notification) => unknown, RegExp][] = [
    ['no version', (p) => delete p.version, /^version: must be "4" \(Alertmanager/],
    ['version 3', (p) => (p.version = '3'), /^version: /],
    ['no alerts', (p) => delete p.alerts, /^alerts: required, an array/],
    ['an alert not an object', (p) => (p.alerts = ['x']), /^alerts\[0\]: must be an object/],
    [
      'a status unknown',
      (p) => (p.alerts[0].status = 'pending'),
      /^alerts\[0\]\.status: must be "firing" or "resolved"/,
    ],
    ['no labels', (p) => delete p.alerts[0].labels, /^alerts\[0\]\.labels: required/],
    ['empty labels', (p) => (p.alerts[0].labels = {}), /^alerts\[0\]\.labels: must have at least one label/],
    [
      'a label not a string',
      (p) => (p.alerts[0].labels.severity = 2),
      /^alerts\[0\]\.labels\["severity"\]: must be a string/,
    ],
    [
      'too many annotations',
      (p) =>
        (p.alerts[0].annotations = Object.fromEntries(
          Array.from({ length: MAX_PAIRS + 1 }, (_, i) => [`a${i}`, 'x']),
        )),
      /^alerts\[0\]\.annotations: must have at most 64 entries/,
    ],
    [
      'a value too long',
      (p) => (p.alerts[0].annotations.description = 'x'.repeat(9000)),
      /must be at most 8192 characters/,
    ],
    ['no startsAt', (p) => delete p.alerts[0].startsAt, /^alerts\[0\]\.startsAt: required, an RFC 3339 time/],
    ['startsAt not a time', (p) => (p.alerts[0].startsAt = 'yesterday'), /^alerts\[0\]\.startsAt: /],
    [
      'a fingerprint that is no label value',
      (p) => (p.alerts[0].fingerprint = 'a/b'),
      /^alerts\[0\]\.fingerprint: must be 1 to 63 letters and digits/,
    ],
  ];
  for (const [name, change, message] of cases) {
    const read = readNotification(
      alertPayload('alertmanager', (p) => void change(p)),
      20,
    );
    t.match(read, { problem: message }, name);
  }
  t.match(readNotification([], 20), { problem: /^body: must be a JSON object/ });
});
