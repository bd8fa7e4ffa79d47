// The world an alert meets in the receiver's unit tests: the seed's config (its Apps) with one route,
// payments-errors, from PaymentsCaptureErrors (critical) to a rex TaskRun on acme/payments in team-a.
import type { ControllerConfig } from '../../../src/api/index.js';
import { configFrom } from '../../../src/config/load.js';
import { seedConfig } from '../util/app-configs.js';

export const PAYMENTS_ROUTE = Object.freeze({
  name: 'payments-errors',
  match: { alertname: 'PaymentsCaptureErrors', severity: 'critical' },
  namespace: 'team-a',
  submitter: 'system:serviceaccount:team-a:alerts',
  repository: 'acme/payments',
  prompt: 'Find why card captures fail in this service and fix it.',
});

/** The seed's config with `routes` (default the payments route) and any other `alerts` field. */
export const alertsConfig = (alerts: Record<string, unknown> = {}): ControllerConfig =>
  configFrom({ ...seedConfig(), alerts: { routes: [PAYMENTS_ROUTE], ...alerts } });
