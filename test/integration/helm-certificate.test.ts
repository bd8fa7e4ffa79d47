// `helm install` of the chart with its certificate values as they ship (no cert-manager, no caBundle)
// leaves no Secret to be made by hand: the operator's own certificate code, run as the release's
// ServiceAccount with the RBAC the chart grants and the flags its Deployment passes, fills the Secret
// the chart made and puts its CA into the release's two webhook configurations, two replicas agreeing
// on one CA. The release confines its webhooks to its own namespace (watchNamespaces) and leaves the
// CRDs alone, because the integration lane's control plane is shared with other files.
// @needs helm
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { serviceAccountToken, tokenKubeConfig } from '../../src/app/service-account.js';
import { isForbidden, KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { injectionTarget, ServingCertificate } from '../../src/webhook/index.js';
import { kubeConfig, testCluster } from '../harness/cluster/cluster.js';
import { CHART, helm } from '../harness/deploy/helm.js';
import type { Values } from '../harness/deploy/helm-overlay.js';
import { parseObjects } from '../harness/deploy/kustomize.js';

const cluster = await testCluster();
const chart = await helm();
const work = mkdtempSync(join(tmpdir(), 'helm-certificate-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const admin = new KubeClient(kubeConfig(cluster));
t.teardown(() => admin.close());

const RELEASE = { name: 'certs', namespace: 'orchestrator-certs' };
const at = ['--kubeconfig', cluster.kubeconfig];

t.test(
  'a plain install: the operator fills the Secret and injects the CA, as its Deployment says',
  async (t) => {
    const install = await chart.run([
      ...['install', RELEASE.name, CHART, '-n', RELEASE.namespace, '--create-namespace', ...at],
      ...['--set', 'crds.install=false', '--set', `watchNamespaces={${RELEASE.namespace}}`],
    ]);
    t.equal(install.code, 0, `helm install: ${install.stderr}`);
    t.teardown(async () => {
      await chart.run(['uninstall', RELEASE.name, '-n', RELEASE.namespace, ...at]);
      await admin.request('DELETE', `/api/v1/namespaces/${RELEASE.namespace}`).catch(() => undefined);
    });
    t.match(install.stdout, /certificate is its own: the pods issue it into the Secret/, 'NOTES say so');
    t.match(
      install.stdout,
      `-n ${RELEASE.namespace} create secret generic orchestrator-model-api-key --from-file=api-key=PATH`,
      "NOTES: the model key in the release's namespace, from a file",
    );
    const manifest = parseObjects(
      (await chart.run(['get', 'manifest', RELEASE.name, '-n', RELEASE.namespace, ...at])).stdout,
    );
    const deployment = manifest.find((o) => o.kind === 'Deployment') as Values;
    const args = deployment.spec.template.spec.containers[0].args as string[];
    const flag = (name: string) =>
      args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
    const [secretName] = flag('webhook-cert-secret');
    t.equal(secretName, 'orchestrator-webhook-tls', 'the Deployment runs the self-managed certificate');
    t.notOk(
      (deployment.spec.template.spec.volumes as Values[]).some((v) => v.secret?.secretName === secretName),
      'and mounts no Secret over the directory the operator writes',
    );
    const configurations = manifest.filter((o) =>
      /^(Mutating|Validating)WebhookConfiguration$/.test(o.kind ?? ''),
    );
    t.same(
      flag('inject-ca').sort(),
      configurations.map((o) => `${o.kind?.toLowerCase()}s/${o.metadata?.name}`).sort(),
      "the CA goes into the release's two configurations",
    );

    // As the release's ServiceAccount: what the chart granted is enough.
    const token = await serviceAccountToken(
      admin,
      { namespace: RELEASE.namespace, name: 'orchestrator' },
      3600,
    );
    const account = new KubeClient(
      tokenKubeConfig(kubeConfig(cluster), token, `system:serviceaccount:${RELEASE.namespace}:orchestrator`),
    );
    t.teardown(() => account.close());
    const replica = () => {
      const certDir = mkdtempSync(join(work, 'replica-'));
      return {
        certDir,
        certificate: new ServingCertificate({
          client: account,
          namespace: RELEASE.namespace,
          secretName: secretName as string,
          injectInto: flag('inject-ca').map(injectionTarget),
          certDir,
          logger: pino({ level: 'silent' }),
        }),
      };
    };
    const replicas = [replica(), replica()];
    const [a, b] = await Promise.all(replicas.map((r) => r.certificate.reconcile()));
    t.equal(a?.['ca.crt'], b?.['ca.crt'], 'two replicas, one CA');
    t.equal(a?.['tls.crt'], b?.['tls.crt'], 'one serving certificate');

    const secret = await admin.request<KubeObject & { data: Record<string, string> }>(
      'GET',
      `/api/v1/namespaces/${RELEASE.namespace}/secrets/${secretName}`,
    );
    const text = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString('utf8');
    t.equal(text('ca.crt'), a?.['ca.crt'], 'the Secret holds the CA');
    const leaf = new X509Certificate(text('tls.crt'));
    t.ok(leaf.checkIssued(new X509Certificate(text('ca.crt'))), 'and a serving certificate it signed');
    t.match(
      leaf.subjectAltName,
      `DNS:orchestrator-webhook.${RELEASE.namespace}.svc`,
      "for the release's Service",
    );
    for (const r of replicas)
      t.equal(readFileSync(join(r.certDir, 'tls.crt'), 'utf8'), text('tls.crt'), 'each replica serves it');

    for (const o of configurations) {
      const live = await admin.request<Values>(
        'GET',
        `/apis/admissionregistration.k8s.io/v1/${o.kind?.toLowerCase()}s/${o.metadata?.name}`,
      );
      t.same(
        (live.webhooks as Values[]).map((h) => h.clientConfig.caBundle),
        (live.webhooks as Values[]).map(() => secret.data['ca.crt']),
        `${o.kind} ${o.metadata?.name}: every webhook's caBundle is the Secret's ca.crt`,
      );
    }

    // The grant names the release's own configurations only: another one cannot even be written.
    const other = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/someone-elses';
    const written = await account
      .request('PUT', other, { body: { metadata: { name: 'someone-elses' } } })
      .then(
        () => 'written',
        (err) => (isForbidden(err) ? 'forbidden' : String(err)),
      );
    t.equal(written, 'forbidden', `PUT ${other}`);
  },
);
