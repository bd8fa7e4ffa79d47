// Alerts as a source of work (docs/alerts.md, decision 0086): the endpoint that turns the firing alerts
// of an Alertmanager or Grafana notification into prompt TaskRuns, by the admin's routes.
// - payload.ts: a notification read against Alertmanager's ("4") and Grafana's ("1") contract: pure, bounded.
// - prompt.ts: the run's prompt: the route's instructions, then the alert quoted as data no text can leave.
// - router.ts: the endpoint: authenticated, bounded, routed, created; one run per firing.
// - routing.ts: which route an alert takes: exact label matchers, the first route that matches.
// - run.ts: the TaskRun an alert starts, every field the route's, named by the firing.
// - token.ts: the sender's bearer token, checked in constant time before the body is read.
export { ALERTS_WEBHOOK_PATH, alertsWebhookRouter } from './router.js';
