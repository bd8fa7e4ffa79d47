// The webhooks check finds a Helm release's configurations by the Service they call when they are not
// under the shipped names (`team-b-orchestrator-mutating`); the rest of the check on a real apiserver:
// test/integration/doctor.test.ts.
import t from 'tap';
import { createAuthority } from '../certs/index.js';
import { ApiError, type ApiRequester, type KubeObject } from '../runtime/index.js';
import type { DoctorContext } from './check.js';
import { webhookConfigCheck } from './webhook-config.js';

const NS = 'team-b';
const configuration = (name: string, namespace: string, caBundle = '') =>
  ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: 'mtaskrun.orchestrator.io',
        clientConfig: { caBundle, service: { namespace, name: 'orchestrator-webhook', path: '/mutate' } },
      },
    ],
  }) as KubeObject;

t.test("a release's configuration under its own name, found by the Service it calls", async (t) => {
  const ca = Buffer.from((await createAuthority()).certPem).toString('base64');
  const installed = [
    configuration('orchestrator-mutating-elsewhere', 'other'),
    configuration('team-b-orchestrator-mutating', NS, ca),
  ];
  const asked: string[] = [];
  const client = {
    async request(method: string, path: string) {
      asked.push(`${method} ${path}`);
      if (path.endsWith('/mutatingwebhookconfigurations/orchestrator-mutating'))
        throw new ApiError(404, 'NotFound', 'not found');
      if (path.endsWith('/mutatingwebhookconfigurations')) return { items: installed };
      if (path.endsWith('/services/orchestrator-webhook')) return {};
      if (path.endsWith('/endpointslices'))
        return { items: [{ endpoints: [{ conditions: { ready: true } }] }] };
      throw new Error(`unexpected ${method} ${path}`);
    },
  } as unknown as ApiRequester;
  const ctx = {
    client,
    namespace: NS,
    now: new Date(),
    shipped: { webhooks: [configuration('orchestrator-mutating', 'orchestrator-system')] },
  } as unknown as DoctorContext;
  t.match(await webhookConfigCheck.run(ctx), [
    {
      severity: 'ok',
      message: 'MutatingWebhookConfiguration team-b-orchestrator-mutating: 1 webhooks, CA valid',
    },
  ]);
  t.ok(asked.includes(`GET /api/v1/namespaces/${NS}/services/orchestrator-webhook`), 'its Service asked for');
  installed.pop();
  t.match(await webhookConfigCheck.run(ctx), [
    { severity: 'error', message: /the MutatingWebhookConfiguration orchestrator-mutating is not installed/ },
  ]);
});
