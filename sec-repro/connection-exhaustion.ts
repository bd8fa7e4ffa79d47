// Repro: one client holds every connection slot of the admission webhook listener (server.maxConnections
// = 1024, src/http/https-server.ts:173) with bare TCP connections that never start a TLS handshake.
// Nothing limits connections per address; each is dropped only after handshakeTimeout (10 s), so ~100
// new connections a second keep the listener full. Meanwhile a real client (the apiserver, calling the
// webhook with failurePolicy: Fail) cannot get an answer.
import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { admissionRoutes } from '../src/webhook/handlers.js';
import { startWebhookServer } from '../src/webhook/server.js';
import { createAuthority } from '../src/certs/authority.js';
import { loadDefaultConfig } from '../src/config/load.js';
import { staticConfig } from '../src/api/index.js';
import { allowAll } from '../test/harness/access-reviewers.js';

if (process.argv[2] === 'server') {
  const dir = mkdtempSync(join(tmpdir(), 'wh-'));
  const ca = await createAuthority();
  const serving = await ca.issueServing({ commonName: 'wh', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), serving.certPem);
  writeFileSync(join(dir, 'tls.key'), serving.keyPem);
  const server = await startWebhookServer({
    certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'),
    routes: admissionRoutes({ config: staticConfig(loadDefaultConfig()), reviewer: allowAll() }),
    registry: new Registry(), logger: pino({ level: 'silent' }), port: 0, host: '127.0.0.1',
  });
  process.send?.(String(server.port));
  await new Promise(() => {});
}

const child = fork(process.argv[1]!, ['server'], { execArgv: process.execArgv });
const port: number = await new Promise((r) => child.once('message', (m) => r(Number(m))));
const review = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {
  uid: 'u', kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' }, operation: 'DELETE' } });
const probe = () => new Promise<string>((resolve) => {
  const t0 = Date.now();
  const req = request({ host: '127.0.0.1', port, path: '/validate-orchestrator-io-v1-taskrun', method: 'POST',
    rejectUnauthorized: false, agent: false, headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
    res.resume(); res.on('end', () => resolve(`HTTP ${res.statusCode} in ${Date.now() - t0} ms`)); });
  req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
  req.on('error', (e) => resolve(`failed after ${Date.now() - t0} ms: ${e.message}`));
  req.end(review);
});
console.log('before: a webhook call ->', await probe());
const held: Socket[] = [];
await Promise.all(Array.from({ length: 1024 }, () => new Promise<void>((r) => {
  const s = connect(port, '127.0.0.1', () => r()); s.on('error', () => r()); held.push(s);
})));
await new Promise((r) => setTimeout(r, 300));
console.log(`holding ${held.filter((s) => !s.destroyed).length} idle TCP connections (no TLS, no request)`);
for (let i = 0; i < 3; i++) console.log('during: a webhook call ->', await probe());
for (const s of held) s.destroy();
await new Promise((r) => setTimeout(r, 300));
console.log('after release: a webhook call ->', await probe());
child.kill();
process.exit(0);
