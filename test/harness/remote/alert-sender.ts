// Alert notifications for tests: the payloads of test/fixtures/alerts (changed as a test needs), posted
// as Alertmanager's webhook_config and Grafana's webhook contact point post them (a JSON body, the
// bearer token in the Authorization header).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';

// biome-ignore lint/suspicious/noExplicitAny: payloads are JSON that tests edit field by field.
export type Notification = Record<string, any>;

/** A fresh copy of a fixture (`alertmanager`, `grafana`), changed by `change`. */
export function alertPayload(name: string, change: (p: Notification) => void = () => {}): Notification {
  const payload = JSON.parse(
    readFileSync(join(packageRoot(), 'test', 'fixtures', 'alerts', `${name}.json`), 'utf8'),
  ) as Notification;
  change(payload);
  return payload;
}

export interface AlertAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the answer's JSON, read field by field.
  body: Record<string, any>;
}

/** The Authorization header both senders send for a bearer token. */
export const bearer = (token: string) => `Bearer ${token}`;

/** Posts `body` to `url` with `authorization` as the header (none: no Authorization header). */
export async function postNotification(
  url: string,
  authorization: string | undefined,
  body: string,
): Promise<AlertAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Alertmanager/0.28.1',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { message: text };
  }
  return { status: res.status, body: parsed };
}
