// Which route an alert takes (alerts.routes, docs/alerts.md): the first whose every label matcher the
// alert carries with exactly that value. Exact values only: a route is the admin's statement of which
// alerts may spend an agent's time, read at a glance; Alertmanager's own routing narrows before it.
import type { ControllerConfig } from '../api/index.js';
import type { Alert } from './payload.js';

export type AlertRoute = ControllerConfig['alerts']['routes'][number];

export function matchRoute(alert: Alert, routes: readonly AlertRoute[]): AlertRoute | undefined {
  return routes.find((route) =>
    Object.entries(route.match).every(
      ([name, value]) => Object.hasOwn(alert.labels, name) && alert.labels[name] === value,
    ),
  );
}
