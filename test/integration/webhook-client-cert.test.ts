// The strong form of the webhook's caller authentication, on the real apiserver: with a client CA
// configured, the apiserver presents its client certificate (an AdmissionConfiguration kubeconfig,
// docs/security.md "Authenticating the apiserver") and kubectl's runs are admitted, or refused naming
// the requester's missing permission; a direct POST without that certificate is refused in the TLS
// handshake, before any SubjectAccessReview.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { stringify } from 'yaml';
import { referenceReviewer } from '../../src/admission/reference-review.js';
import { staticConfig } from '../../src/api/index.js';
import { createAuthority } from '../../src/certs/authority.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { type CallOptions, KubeClient } from '../../src/runtime/index.js';
import { admissionRoutes } from '../../src/webhook/handlers.js';
import { installLocalWebhooks, uninstallLocalWebhooks } from '../../src/webhook/install.js';
import { startWebhookServer } from '../../src/webhook/server.js';
import { startAdmissionApiserver } from '../harness/cluster/admission-apiserver.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { sampleCodeRun } from '../harness/operator/operator.js';
import { TEST_WEBHOOK_TIMEOUT_SECONDS } from '../harness/operator/webhook.js';

const cluster = await testCluster();
await ensureCrds(cluster);

const codeRun = (name: string, spec: Record<string, unknown> = {}) => stringify(sampleCodeRun(name, spec));

t.test(
  'with a client CA: the apiserver is served and gets the detail; a caller without the certificate is refused',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-client-ca-'));
    const ca = await createAuthority();
    const serving = await ca.issueServing({ commonName: 'orchestrator-webhook', ipAddresses: ['127.0.0.1'] });
    const apiserverCert = await ca.issueClient({ commonName: 'kube-apiserver' });
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    file('tls.crt', serving.certPem);
    file('tls.key', serving.keyPem);
    file('ca.crt', ca.certPem);
    const clientCertFile = file('apiserver-client.crt', apiserverCert.certPem);
    const clientKeyFile = file('apiserver-client.key', apiserverCert.keyPem);

    // The reference checks' SubjectAccessReviews, counted.
    const admin = new KubeClient(kubeConfig(cluster));
    t.teardown(() => admin.close());
    let sars = 0;
    const counted = {
      request: <T>(method: string, path: string, opts?: CallOptions) => {
        sars++;
        return admin.request<T>(method, path, opts);
      },
    };
    const server = await startWebhookServer({
      certFile: join(dir, 'tls.crt'),
      keyFile: join(dir, 'tls.key'),
      clientCAFile: join(dir, 'ca.crt'),
      routes: admissionRoutes({
        config: staticConfig(loadDefaultConfig()),
        reviewer: referenceReviewer(counted as never),
      }),
      registry: new Registry(),
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      port: 0,
      host: '127.0.0.1',
    });
    t.teardown(() => server.close());

    const second = await startAdmissionApiserver(t, cluster, {
      dir,
      webhookHost: `127.0.0.1:${server.port}`,
      clientCertFile,
      clientKeyFile,
    });
    const suffix = `-ca-${server.port}`;
    const labels = { 'orchestrator.io/webhook-test': `client-ca-${server.port}` };
    const kc = kubeConfig(cluster);
    await installLocalWebhooks(kc, {
      baseUrl: `https://127.0.0.1:${server.port}`,
      caPem: ca.certPem,
      nameSuffix: suffix,
      namespaceSelector: { matchLabels: labels },
      timeoutSeconds: TEST_WEBHOOK_TIMEOUT_SECONDS,
    });
    t.teardown(() => uninstallLocalWebhooks(kc, suffix));
    const ns = await testNamespace(t, cluster, labels);
    t.teardown(() => kubectl(cluster, ['delete', 'ocr', '--all', '-n', ns, '--wait=false']));

    // Through the apiserver that presents its certificate: the admin's run is admitted and defaulted.
    const created = await kubectl(second.cluster, ['create', '-n', ns, '-f', '-'], codeRun('admitted'));
    t.equal(created.code, 0, `admitted through the apiserver with the client certificate: ${created.stderr}`);
    const stored = await kubectl(second.cluster, ['get', 'ocr', 'admitted', '-n', ns, '-o', 'json']);
    t.match(
      JSON.parse(stored.stdout).metadata.annotations,
      { 'orchestrator.io/submitted-by': /./ },
      'mutated',
    );
    // A requester allowed to create runs, refused a Secret: the apiserver is the caller, so the answer
    // names the permission.
    const user = `system:serviceaccount:${ns}:pm`;
    const rbac = await kubectl(
      cluster,
      ['apply', '-n', ns, '-f', '-'],
      stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'Role',
            metadata: { name: 'pm' },
            rules: [{ apiGroups: ['orchestrator.io'], resources: ['coderuns'], verbs: ['create'] }],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: 'pm' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pm' },
            subjects: [{ kind: 'ServiceAccount', name: 'pm', namespace: ns }],
          },
        ],
      }),
    );
    t.equal(rbac.code, 0, rbac.stderr);
    await waitForPermission(second.cluster, user, ['create', 'coderuns.orchestrator.io', '-n', ns]);
    const refused = await kubectl(
      second.cluster,
      ['create', '-n', ns, '-f', '-', `--as=${user}`],
      codeRun('refused', { envFromSecrets: [{ name: 'DB', secretName: 'db-password', secretKey: 'pw' }] }),
    );
    t.not(refused.code, 0, 'refused');
    t.match(
      refused.stderr,
      `secrets "db-password" is forbidden: User "${user}" cannot get resource "secrets"`,
    );

    // Straight to the webhook, without the certificate: refused in the handshake, nothing asked of RBAC.
    const before = sars;
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'forged',
        kind: { group: 'orchestrator.io', version: 'v1', kind: 'CodeRun' },
        namespace: ns,
        name: 'forged',
        operation: 'CREATE',
        userInfo: { username: 'someone-else' },
        object: JSON.parse(
          JSON.stringify({
            apiVersion: 'orchestrator.io/v1',
            kind: 'CodeRun',
            metadata: { name: 'forged', namespace: ns },
            spec: {
              taskId: 1,
              service: 's',
              repositoryUrl: 'https://github.com/a/b',
              docsRepositoryUrl: 'https://github.com/a/d',
              githubApp: '5DLabs-Rex',
              envFromSecrets: [{ name: 'X', secretName: 'db-password', secretKey: 'k' }],
            },
          }),
        ),
      },
    });
    await t.rejects(
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/validate-orchestrator-io-v1-coderun',
            method: 'POST',
            ca: ca.certPem,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
      'no answer without the client certificate',
    );
    t.equal(sars, before, 'no SubjectAccessReview for it');
  },
);
