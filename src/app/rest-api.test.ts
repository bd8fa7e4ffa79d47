// The REST port's routes and budgets agree (docs/security.md "Routes are exact"): every spelling of the
// GitHub webhook's path either is that path, under the GitHub budget, or reaches no route and is
// refused before its body is read. Before, `/webhook/github/`, `/WEBHOOK/GitHub` and the absolute form
// were admitted under the REST API's budget (1 MiB) and then read by the GitHub route (25 MiB).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t, { type Test } from 'tap';
import { fixedBudgets } from '../../test/harness/rest/budget-reports.js';
import { staticConfig } from '../api/index.js';
import { createAuthority } from '../certs/authority.js';
import { loadDefaultConfig } from '../config/load.js';
import { startRestApi } from './rest-api.js';

const MiB = 1024 * 1024;

async function restApi(t: Test, alertTokens: readonly string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'rest-api-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createAuthority();
  const serving = await ca.issueServing({ commonName: 'api', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), serving.certPem);
  writeFileSync(join(dir, 'tls.key'), serving.keyPem);
  const server = await startRestApi({
    address: { port: 0, host: '127.0.0.1' },
    certificates: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    // Nothing here gets past the signature: no apiserver call is made.
    client: {} as never,
    config: staticConfig(loadDefaultConfig()),
    budgets: fixedBudgets(loadDefaultConfig),
    githubSecrets: () => ['the-webhook-secret'],
    alertTokens: () => alertTokens,
    logger: pino({ level: 'silent' }),
    local: false,
  });
  t.teardown(() => server.close());
  return { port: server.port, ca: ca.certPem };
}

interface Answer {
  status: number;
  connection?: string;
  body: string;
}

/** A delivery with a well-formed but wrong signature and a chunked body of `bytes` (no Content-Length). */
function deliver(at: { port: number; ca: string }, path: string, bytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: at.port,
      ca: at.ca,
      path,
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        'x-github-event': 'issue_comment',
        'x-github-delivery': 'd1',
      },
    });
    let answered = false;
    req.once('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.once('error', (err) => (answered ? undefined : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (!answered && sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

t.test('the GitHub path spelt exactly is the GitHub route; no other spelling reaches it', async (t) => {
  const api = await restApi(t);
  for (const path of ['/webhook/github', '/webhook/github?source=test']) {
    const answer = await deliver(api, path, 2 * MiB);
    t.equal(answer.status, 401, `${path}: the body was read under the GitHub budget, to the signature`);
    t.match(answer.body, /signature does not match/);
  }
  for (const path of ['/webhook/github/', '/WEBHOOK/GitHub', '/Webhook/github', '/webhook//github']) {
    const answer = await deliver(api, path, 2 * MiB);
    t.equal(answer.status, 404, `${path}: no route, and so nothing read past the headers`);
    t.equal(answer.connection, 'close', `${path}: the unread body is not drained`);
  }
  for (const path of ['https://127.0.0.1/webhook/github', '/webhook/github#x']) {
    const answer = await deliver(api, path, 2 * MiB);
    t.equal(answer.status, 400, `${path}: not a plain path, refused before any route`);
    t.match(answer.body, /request target must be a path/);
  }
});

t.test(
  'the alert path is the alert receiver: off without a token, a stranger 401 before the body',
  async (t) => {
    const off = await restApi(t);
    const unread = await deliver(off, '/webhook/alerts', 2 * MiB);
    t.equal(unread.status, 404);
    t.match(unread.body, /the alert receiver is off: no token is configured \(alerts\.tokenFiles\)/);
    t.equal(unread.connection, 'close', 'the unread body is not drained');
    const on = await restApi(t, ['the-alert-token']);
    const stranger = await deliver(on, '/webhook/alerts', 2 * MiB);
    t.equal(stranger.status, 401);
    t.match(stranger.body, /no Authorization header/);
    t.equal(stranger.connection, 'close');
  },
);

t.test('a body past what its budget reserved is cut as it streams, without Content-Length', async (t) => {
  const api = await restApi(t);
  // The GitHub budget reserves its body limit (25 MiB) for a body of unknown length, and reads no more.
  const answer = await deliver(api, '/webhook/github', 26 * MiB);
  t.equal(answer.status, 413);
  t.match(answer.body, /body exceeds the limit of 26214400 bytes/);
});
