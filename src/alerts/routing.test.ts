// Which route an alert takes: every matcher exactly, the first route that matches.
import t from 'tap';
import { alertsConfig, PAYMENTS_ROUTE } from '../../test/harness/fakes/alert-routes.js';
import type { Alert } from './payload.js';
import { matchRoute } from './routing.js';

const alert = (labels: Record<string, string>): Alert => ({
  status: 'firing',
  labels,
  annotations: {},
  startsAt: '2026-11-29T08:14:03Z',
  fingerprint: 'f',
});

t.test('every matcher must hold exactly; the first route that matches is taken', async (t) => {
  const any = { ...PAYMENTS_ROUTE, name: 'payments-any', match: { alertname: 'PaymentsCaptureErrors' } };
  const { routes } = alertsConfig({ routes: [PAYMENTS_ROUTE, any] }).alerts;
  const critical = { alertname: 'PaymentsCaptureErrors', severity: 'critical', team: 'payments' };
  t.equal(matchRoute(alert(critical), routes)?.name, 'payments-errors');
  t.equal(matchRoute(alert({ ...critical, severity: 'warning' }), routes)?.name, 'payments-any');
  t.equal(
    matchRoute(alert({ ...critical, severity: 'Critical' }), routes)?.name,
    'payments-any',
    'values are exact',
  );
  t.equal(matchRoute(alert({ alertname: 'Other', severity: 'critical' }), routes), undefined);
  t.equal(
    matchRoute(alert({ severity: 'critical' }), [PAYMENTS_ROUTE as never]),
    undefined,
    'a missing label fails',
  );
});

t.test('a matcher named like an Object member is a label like any other', async (t) => {
  const route = { ...PAYMENTS_ROUTE, match: { constructor: 'x' } };
  t.equal(matchRoute(alert({ alertname: 'a' }), [route as never]), undefined);
  t.equal(matchRoute(alert({ constructor: 'x' }), [route as never])?.name, 'payments-errors');
});
