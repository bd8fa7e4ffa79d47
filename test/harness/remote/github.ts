// GitHub deliveries for tests: the payloads of test/fixtures/github (changed as a test needs), signed
// as GitHub signs them, and posted with GitHub's headers.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { packageRoot } from '../../../src/util/package-root.js';

// biome-ignore lint/suspicious/noExplicitAny: payloads are JSON that tests edit field by field.
export type Payload = Record<string, any>;

/** A fresh copy of a fixture (`issue_comment.pull_request`), changed by `change`. */
export function githubPayload(name: string, change: (p: Payload) => void = () => {}): Payload {
  const payload = JSON.parse(
    readFileSync(join(packageRoot(), 'test', 'fixtures', 'github', `${name}.json`), 'utf8'),
  ) as Payload;
  change(payload);
  return payload;
}

/** The fixture's event: its name up to the first dot. */
export const eventOf = (fixture: string): string => fixture.split('.')[0] ?? fixture;

export interface Delivery {
  event: string;
  body: string;
  /** Default a new GUID, as GitHub gives each delivery (a redelivery keeps it). */
  id?: string;
  /** Default signed with `secret`. */
  signature?: string;
}

/** Posts a delivery to `url` as GitHub does; resolves to the status and the JSON answer. */
export async function postDelivery(
  url: string,
  secret: string,
  d: Delivery,
): Promise<{ status: number; body: { message: string; run?: { namespace: string; name: string } } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/5f1e8a3',
      'x-github-event': d.event,
      'x-github-delivery': d.id ?? randomUUID(),
      'x-github-hook-id': '109948940',
      'x-hub-signature-256': d.signature ?? (await sign(secret, d.body)),
    },
    body: d.body,
  });
  const text = await res.text();
  // The operator answers JSON; Argo Events' EventSource answers plain text, kept as the message.
  const json = res.headers.get('content-type')?.includes('json');
  return { status: res.status, body: json && text ? JSON.parse(text) : { message: text } };
}

/**
 * Posts a delivery and, while the answer is a 503, redelivers it as GitHub's "Redeliver" does (the
 * same GUID and body), `posts` times at most. A 503 is the operator's answer when the Kubernetes API
 * did not let it finish within GitHub's 10 s, which a loaded machine can take: it asks for a
 * redelivery, and a redelivery of a run that was created after all answers "already done" (200).
 */
export async function deliverUntilAnswered(url: string, secret: string, d: Delivery, posts = 3) {
  const delivery = { ...d, id: d.id ?? randomUUID() };
  let answer = await postDelivery(url, secret, delivery);
  let redelivered = 0;
  while (answer.status === 503 && redelivered < posts - 1) {
    redelivered++;
    answer = await postDelivery(url, secret, delivery);
  }
  return { ...answer, redelivered };
}
