// No unauthenticated request can exhaust the process (docs/security.md "Listener budgets",
// "Connections"): one replica installed as the Deployment runs it (its args, Node flags, RBAC;
// test/harness/operator/installed-replicas.ts) gets 100 concurrent oversized or pathological unauthenticated
// requests at every listener at once, three rounds — admission reviews of 3 MiB of `[{},{},…]` (a
// million objects each once parsed), 25 MiB GitHub deliveries with a bogus signature at every spelling of
// their path (`/webhook/github/`, `/WEBHOOK/GitHub`, the absolute form; with and without Content-Length),
// 1 MiB REST bodies without a token, scrapes with bodies — from several loopback addresses, while one
// more address holds its cap of idle connections on the webhook port, and valid runs keep being created
// through the apiserver (from 127.0.0.1), whose webhooks must keep answering them correctly. The
// process's resident memory, sampled throughout and its peak read from the kernel (VmHWM), stays under
// the Deployment's memory limit. A memory bound, not a time bound.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { ensureDist } from '../../scripts/build.js';
import type { TaskRun } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import { ApiError } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { peakRssBytes, statusBytes } from '../bench/proc-stats.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { kustomize } from '../harness/deploy/kustomize.js';
import { installReplicas } from '../harness/operator/installed-replicas.js';
import { managerTemplate } from '../harness/operator/replicas.js';
import { scaled } from '../harness/util/wait.js';

if (!ensureDist()) throw new Error('building dist/ failed');
const cluster = await testCluster();
await ensureCrds(cluster);
const root = packageRoot();

/** "512Mi" and the like, in bytes. */
function quantityBytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q} is not understood here`);
  const unit: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(m[1]) * (unit[m[2] ?? ''] ?? 1);
}

interface Flood {
  port: number;
  path: string;
  method?: string;
  /** The bytes each request sends (the chunk repeated): its Content-Length unless `chunked`. */
  bytes: number;
  /** Sent without a Content-Length (chunked): the server learns its size only as it reads. */
  chunked?: boolean;
  headers?: Record<string, string>;
}

/**
 * The attackers' addresses (Linux routes 127.0.0.0/8 to lo): never 127.0.0.1, the apiserver's, whose
 * admission calls must keep their own per-address connections.
 */
const ATTACKERS = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
/** The address that holds its cap of idle connections on the webhook port throughout. */
const IDLER = '127.0.0.20';

/** 64 KiB of `{},` (one buffer every request writes from, so the test's own memory stays flat). */
const OBJECTS = Buffer.from(`${'{},'.repeat(21845)}{}`);

/**
 * One request of `flood`: the headers, then the body written as fast as the server reads it, until it
 * answers (then the rest is dropped). The status, or 0 when the connection ended without one.
 */
function attack(flood: Flood, ca: string, from: string): Promise<number> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request({
      host: '127.0.0.1',
      port: flood.port,
      path: flood.path,
      method: flood.method ?? 'POST',
      ca,
      agent: false,
      localAddress: from,
      headers: {
        'content-type': 'application/json',
        ...(flood.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': flood.bytes }),
        ...flood.headers,
      },
    });
    const timer = setTimeout(() => req.destroy(new Error('no answer')), scaled(120_000));
    req.once('response', (res) => {
      answered = true;
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.once('error', () => {
      clearTimeout(timer);
      if (!answered) resolve(0);
    });
    let sent = 0;
    const pump = () => {
      while (!answered && sent < flood.bytes) {
        const n = Math.min(OBJECTS.length, flood.bytes - sent);
        sent += n;
        if (!req.write(OBJECTS.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

const MiB = 1024 * 1024;

t.test(
  'a flood of oversized unauthenticated requests at every listener: admission answers, memory holds',
  async (t) => {
    const objects = await kustomize(cluster, join(root, 'config', 'default'));
    const limit = quantityBytes(managerTemplate(objects).container.resources?.limits?.memory ?? '');
    t.ok(limit >= 256 * MiB, `the Deployment's memory limit: ${limit / MiB} MiB`);

    const { namespace, replicas, caPem, client, id } = await installReplicas(t, cluster, {
      prefix: 'budget',
      count: 1,
      change: (c) => {
        // The GitHub endpoint on (a secret configured), so its deliveries are read, not refused unread.
        const dir = mkdtempSync(join(tmpdir(), 'budget-secret-'));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const secret = join(dir, 'secret');
        writeFileSync(secret, 'It5-a-s3cret\n');
        c.githubWebhook = { ...c.githubWebhook, secretFiles: [secret] };
      },
    });
    const replica = replicas[0];
    if (!replica) throw new Error('no replica');
    const ready = replica.process.logs.find((l) => l.msg === 'orchestrator ready');
    const apiPort = Number(ready?.apiPort);
    t.ok(apiPort > 0, 'the REST API serves');
    const pid = replica.process.pid;
    const rss = () => statusBytes(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
    const before = rss();
    let sampled = before;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, rss());
    }, 50);
    t.teardown(() => clearInterval(sampler));

    const github = (path: string, chunked: boolean): Flood => ({
      port: apiPort,
      path,
      chunked,
      // Without Content-Length: past the 25 MiB the GitHub budget reserves, to be cut as it streams.
      bytes: chunked ? 30 * MiB : 25 * MiB - 64,
      headers: {
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        'x-github-event': 'issue_comment',
        'x-github-delivery': 'flood',
      },
    });
    // 100 at once: every listener, every spelling of the GitHub path.
    const floods: Array<[string, Flood, number]> = [
      // Just under the 3 MiB limit, stated: admitted by size, then refused for what parsing would take.
      [
        'admission',
        { port: replica.webhookPort, path: '/validate-orchestrator-io-v1-taskrun', bytes: 3 * MiB - 64 },
        15,
      ],
      [
        'admission, mutating',
        { port: replica.webhookPort, path: '/mutate-orchestrator-io-v1-taskrun', bytes: 3 * MiB - 64 },
        10,
      ],
      [
        'admission, over the limit',
        { port: replica.webhookPort, path: '/validate-orchestrator-io-v1-taskrun', bytes: 64 * MiB },
        10,
      ],
      ['GitHub', github('/webhook/github', false), 8],
      ['GitHub, chunked', github('/webhook/github', true), 8],
      ['GitHub, trailing slash', github('/webhook/github/', true), 8],
      ['GitHub, upper case', github('/WEBHOOK/GitHub', true), 8],
      ['GitHub, absolute form', github(`https://127.0.0.1:${apiPort}/webhook/github`, true), 8],
      [
        'REST API',
        { port: apiPort, path: `/api/v1/namespaces/${namespace}/agenttaskruns`, bytes: MiB - 64 },
        10,
      ],
      [
        'REST API, chunked',
        {
          port: apiPort,
          path: `/api/v1/namespaces/${namespace}/agenttaskruns`,
          bytes: 4 * MiB,
          chunked: true,
        },
        5,
      ],
      ['metrics', { port: replica.metricsPort, path: '/metrics', method: 'GET', bytes: MiB }, 10],
    ];
    t.equal(
      floods.reduce((n, [, , count]) => n + count, 0),
      100,
      '100 hostile requests at once',
    );

    // One address holds its cap of idle connections on the webhook port (never a TLS handshake), each
    // opened again as soon as the server closes it (the header timeout), as the bare-connect attack does.
    let idling = true;
    let idleConnects = 0;
    const idle = new Set<Socket>();
    const hold = () => {
      if (!idling) return;
      idleConnects++;
      const socket = connect({ host: '127.0.0.1', port: replica.webhookPort, localAddress: IDLER });
      socket.on('error', () => {});
      socket.once('close', () => {
        idle.delete(socket);
        setTimeout(hold, 100);
      });
      idle.add(socket);
    };
    for (let i = 0; i < 64; i++) hold();
    const stopIdling = () => {
      idling = false;
      for (const s of idle) s.destroy();
    };
    t.teardown(stopIdling);

    // Valid runs keep coming through the apiserver, which calls the webhooks (mutating and validating).
    const sample = parse(readFileSync(join(root, 'config', 'samples', 'taskrun.yaml'), 'utf8')) as TaskRun;
    let stop = false;
    const verdicts: string[] = [];
    let timedOut = 0;
    // The apiserver gives a webhook 5 s (webhooks/): a review that CPU starvation (this host's two
    // cores run the flood's TLS on both ends) makes late is counted apart. Memory, not time, is the
    // bound asserted; what is answered must be answered right.
    const late = (err: unknown) => /context deadline exceeded|Client\.Timeout|timed out/i.test(String(err));
    let duringFlood = 0;
    const answer = (verdict: string) => {
      verdicts.push(verdict);
      if (!stop) duringFlood++;
    };
    const admitted = (async () => {
      // Through the flood, then on until 8 reviews were answered (at most 20 more rounds): a review made
      // late by starvation is not one answered wrong, but enough must be answered to judge them.
      for (let i = 0, after = 0; !stop || (after < 20 && (i < 4 || verdicts.length < 8)); i++) {
        if (stop) after++;
        const name = `budget-${id}-${i}`;
        const valid = { ...sample, metadata: { name } };
        try {
          const made = await client.request<TaskRun>('POST', runPath('TaskRun', namespace), { body: valid });
          answer(made.spec.agent ? 'defaulted' : 'not defaulted');
        } catch (err) {
          if (late(err)) timedOut++;
          else answer(`valid refused: ${(err as Error).message}`);
        }
        const invalid = {
          ...valid,
          metadata: { name: `${name}-x` },
          spec: { ...valid.spec, agent: 'no-such-agent' },
        };
        try {
          await client.request('POST', runPath('TaskRun', namespace), { body: invalid });
          answer('invalid admitted');
        } catch (err) {
          if (late(err)) timedOut++;
          else
            answer(
              err instanceof ApiError && err.status === 422 && /no-such-agent/.test(err.message)
                ? 'denied'
                : `wrong answer: ${(err as Error).message}`,
            );
        }
      }
    })();

    const statuses = new Map<string, Map<number, number>>();
    for (let round = 0; round < 3; round++)
      await Promise.all(
        floods.flatMap(([name, flood, count]) =>
          Array.from({ length: count }, async (_, i) => {
            const status = await attack(flood, caPem, ATTACKERS[i % ATTACKERS.length] as string);
            const counts = statuses.get(name) ?? new Map<number, number>();
            counts.set(status, (counts.get(status) ?? 0) + 1);
            statuses.set(name, counts);
          }),
        ),
      );
    stop = true;
    await admitted;
    stopIdling();
    t.comment(`idle connections opened from ${IDLER} during the flood: ${idleConnects}`);
    clearInterval(sampler);

    for (const [name, counts] of statuses)
      t.comment(`${name}: ${JSON.stringify(Object.fromEntries(counts))}`);
    const seen = (name: string) => [...(statuses.get(name)?.keys() ?? [])].sort();
    // Every flooded request was refused (0: the connection closed under a body still being written;
    // 408, on any listener: the request did not arrive within its limit, which a flood on a loaded
    // machine may miss).
    const refused = (name: string, allowed: number[]) =>
      t.same(
        seen(name).filter((s) => s !== 408 && !allowed.includes(s)),
        [],
        `${name}: refused (${[...allowed, 408].join(', ')}), never served`,
      );
    refused('admission', [0, 413, 503]);
    refused('admission, mutating', [0, 413, 503]);
    refused('admission, over the limit', [0, 413]);
    refused('GitHub', [0, 401, 413, 429, 503]);
    refused('GitHub, chunked', [0, 401, 413, 429, 503]);
    // Another spelling reaches no route (404) or is not a path (400): never the GitHub route's read.
    refused('GitHub, trailing slash', [0, 404, 429, 503]);
    refused('GitHub, upper case', [0, 404, 429, 503]);
    refused('GitHub, absolute form', [0, 400]);
    refused('REST API', [0, 401, 429, 503]);
    refused('REST API, chunked', [0, 401, 413, 429, 503]);
    refused('metrics', [0, 413]);
    // Turned away before the body was read: a 503, or (whichever limit a request meets first, which the
    // machine's speed decides) the connection closed on it.
    const turnedAway = (name: string) => seen(name).some((s) => s === 503 || s === 0);
    t.ok(turnedAway('admission'), 'the admission budget turned requests away');
    t.ok(seen('admission').includes(413), "and refused the admitted ones' parsing");
    t.ok(
      seen('GitHub').includes(401) && turnedAway('GitHub'),
      "GitHub's budget let some in, to the signature",
    );

    t.comment(
      `reviews: ${verdicts.length} answered (${duringFlood} while the flood ran), ${timedOut} past the apiserver's 5 s`,
    );
    t.ok(duringFlood >= 1, `runs were reviewed while the flood ran (${duringFlood})`);
    t.ok(verdicts.length >= 8, `valid and invalid runs were reviewed (${verdicts.length})`);
    t.same(
      verdicts.filter((v) => v !== 'defaulted' && v !== 'denied'),
      [],
      'every review during the flood answered correctly: valid runs admitted with defaults, invalid ones denied',
    );

    const peak = peakRssBytes(pid);
    t.comment(
      `resident memory: ${(before / MiB).toFixed(0)} MiB before, ${(sampled / MiB).toFixed(0)} MiB sampled peak, ${(peak / MiB).toFixed(0)} MiB kernel peak (VmHWM); limit ${limit / MiB} MiB`,
    );
    t.ok(
      peak < limit,
      `the process's peak resident memory (${(peak / MiB).toFixed(0)} MiB) stays under the limit`,
    );
    t.equal(replica.process.child.exitCode, null, 'and it still runs');
  },
);
