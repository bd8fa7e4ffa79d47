// The self-managed serving certificate against an in-memory API (FakeApi, with the apiserver's optimistic
// concurrency): two replicas converge on one CA, renewal before expiry, the CA bundle in the operator's
// own webhook configurations only, a Secret someone else filled left alone, and no key in the log.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import type { ApiRequester, CallOptions, KubeObject } from '../runtime/index.js';
import { injectionTarget } from './ca-injection.js';
import { SELF_MANAGED_ANNOTATION, ServingCertificate } from './serving-certificate.js';

const NS = 'orchestrator-system';
const SECRETS = `/api/v1/namespaces/${NS}/secrets`;
const SECRET = `${SECRETS}/orchestrator-webhook-tls`;
const MUTATING = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const VALIDATING = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const DAY_MS = 24 * 60 * 60 * 1000;

const configuration = (kind: string, name: string, service: { namespace: string; name: string }) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind,
  metadata: { name, resourceVersion: '1' },
  webhooks: [
    { name: 'a.orchestrator.io', clientConfig: { service: { ...service, path: '/a' } } },
    { name: 'b.orchestrator.io', clientConfig: { service: { ...service, path: '/b' } } },
  ],
});
const ours = { namespace: NS, name: 'orchestrator-webhook' };

function world() {
  const api = new FakeApi(true);
  api.seed(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'orchestrator-webhook-tls', namespace: NS, resourceVersion: '1' },
  });
  api.seed(MUTATING, configuration('MutatingWebhookConfiguration', 'orchestrator-mutating', ours));
  api.seed(VALIDATING, configuration('ValidatingWebhookConfiguration', 'orchestrator-validating', ours));
  // Named to the operator, but its webhooks call another server: not ours to write.
  api.seed(
    VALIDATING,
    configuration('ValidatingWebhookConfiguration', 'someone-elses', {
      namespace: 'kyverno',
      name: 'kyverno-svc',
    }),
  );
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  const clock = new ManualClock(new Date());
  const dirs: string[] = [];
  const replica = (requester: ApiRequester = api) => {
    const certDir = mkdtempSync(join(tmpdir(), 'serving-cert-'));
    dirs.push(certDir);
    const certificate = new ServingCertificate({
      client: requester,
      namespace: NS,
      secretName: 'orchestrator-webhook-tls',
      injectInto: [
        'mutatingwebhookconfigurations/orchestrator-mutating',
        'validatingwebhookconfigurations/orchestrator-validating',
        'validatingwebhookconfigurations/someone-elses',
      ].map(injectionTarget),
      certDir,
      logger,
      clock,
    });
    return { certificate, certDir };
  };
  const cleanup = () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  const secretData = (key: string) =>
    Buffer.from(
      (api.objects.get(SECRET) as { data: Record<string, string> }).data[key] ?? '',
      'base64',
    ).toString();
  const caBundles = (path: string) =>
    ((api.objects.get(path) as { webhooks: { clientConfig: { caBundle?: string } }[] }).webhooks ?? []).map(
      (h) => h.clientConfig.caBundle,
    );
  return { api, lines, clock, replica, cleanup, secretData, caBundles };
}

t.test('two replicas starting together converge on one CA, written once', async (t) => {
  const w = world();
  t.teardown(w.cleanup);
  // Both read the empty Secret before either writes it: the race optimistic concurrency must settle.
  let waiting: (() => void)[] = [];
  const barrier = {
    request: async (method: string, path: string, opts?: CallOptions): Promise<never> => {
      if (method === 'GET' && path === SECRET && waiting.length < 2) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 2) for (const go of waiting) go();
        });
      }
      return w.api.request<never>(method, path, opts);
    },
  };
  const [a, b] = [w.replica(barrier), w.replica(barrier)];
  const [fromA, fromB] = await Promise.all([a.certificate.reconcile(), b.certificate.reconcile()]);
  waiting = [];
  t.equal(w.api.made('PUT', SECRET).length, 2, 'both tried to write it');
  t.equal(fromA['ca.crt'], fromB['ca.crt'], 'one CA');
  t.equal(fromA['tls.crt'], fromB['tls.crt'], 'one serving certificate');
  t.equal(w.secretData('ca.crt'), fromA['ca.crt'], "the Secret's");
  t.equal(
    w.api.objects.get(SECRET)?.metadata?.annotations?.[SELF_MANAGED_ANNOTATION],
    'self-managed',
    'marked as the operator’s',
  );
  for (const { certDir } of [a, b]) {
    t.equal(readFileSync(join(certDir, 'tls.crt'), 'utf8'), fromA['tls.crt'], 'each replica serves it');
    t.equal(readFileSync(join(certDir, 'tls.key'), 'utf8'), fromA['tls.key']);
  }
  const bundle = Buffer.from(fromA['ca.crt'] ?? '').toString('base64');
  for (const path of [`${MUTATING}/orchestrator-mutating`, `${VALIDATING}/orchestrator-validating`])
    t.same(w.caBundles(path), [bundle, bundle], `${path}: every webhook trusts the CA`);
  t.same(
    w.caBundles(`${VALIDATING}/someone-elses`),
    [undefined, undefined],
    'a foreign configuration untouched',
  );
  t.same(w.api.made('PUT', `${VALIDATING}/someone-elses`), [], 'not even written');
  t.notMatch(w.lines.join(''), /PRIVATE KEY|BEGIN CERTIFICATE/, 'no key or certificate logged');
  t.match(w.lines.join(''), /left untouched: its webhook a\.orchestrator\.io calls another server/);
});

t.test('read again, nothing is written; near expiry, the certificate is renewed and served', async (t) => {
  const w = world();
  t.teardown(w.cleanup);
  const r = w.replica();
  const first = await r.certificate.reconcile();
  const writes = () => w.api.calls.filter((c) => c.method !== 'GET').length;
  const before = writes();
  await r.certificate.reconcile();
  t.equal(writes(), before, 'a second pass writes nothing');
  w.clock.advance(61 * DAY_MS);
  const renewed = await r.certificate.reconcile();
  t.not(renewed['tls.crt'], first['tls.crt'], 'a new serving certificate');
  t.equal(renewed['ca.crt'], first['ca.crt'], 'under the same CA: the caBundle stays');
  t.equal(w.secretData('tls.crt'), renewed['tls.crt'], 'in the Secret');
  t.equal(readFileSync(join(r.certDir, 'tls.crt'), 'utf8'), renewed['tls.crt'], 'in the served files');
  t.notMatch(w.lines.join(''), /PRIVATE KEY/, 'no key logged');
});

t.test('a Secret someone else filled is left alone', async (t) => {
  const w = world();
  t.teardown(w.cleanup);
  const theirs = { 'tls.crt': Buffer.from('theirs').toString('base64') };
  w.api.seed(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'orchestrator-webhook-tls',
      namespace: NS,
      resourceVersion: '7',
      annotations: { 'cert-manager.io/certificate-name': 'x' },
    },
    data: theirs,
  } as KubeObject);
  await t.rejects(w.replica().certificate.reconcile(), /orchestrator-webhook-tls is left untouched/);
  t.same(w.api.made('PUT'), [], 'nothing written');
  t.same((w.api.objects.get(SECRET) as { data: unknown }).data, theirs);
});
