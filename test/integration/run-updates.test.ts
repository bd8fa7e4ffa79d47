// Updates never change whose power a run uses (src/admission/fields/fixed.ts, docs/security.md "Every
// field of a run"), against the real apiserver and real RBAC with kubectl --as: alice creates a CodeRun
// that acts as her GitHub user (her token Secret); bob, another editor of the namespace, may update
// runs but cannot repoint hers at his image, his variables or another user's Secret, nor steer it
// (its prompt, tools, model, branches: src/admission/fields/steering.ts), nor raise contextVersion
// without `retry` on it (src/admission/run-controls.ts); she may steer her run; it stays alice's.
import t from 'tap';
import { stringify } from 'yaml';
import { ANNOTATIONS } from '../../src/api/index.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { apiIdentity, identityClient, waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { applyObjects } from '../harness/deploy/kustomize.js';
import { roleGrant } from '../harness/deploy/rbac.js';
import { routedNamespace, startTestWebhooks } from '../harness/operator/webhook.js';

const cluster = await testCluster();
await ensureCrds(cluster);

const rbac = (ns: string, user: string, rules: object[]): KubeObject[] =>
  roleGrant(ns, user, { kind: 'User', name: user }, rules);

t.test('another editor cannot repoint a run that uses its submitter’s Secret', async (t) => {
  const home = await testNamespace(t, cluster);
  const identity = await apiIdentity(t, cluster, home);
  const reviews = await identityClient(t, cluster, identity);
  const webhooks = await startTestWebhooks(t, cluster, { reviews });
  const ns = await routedNamespace(t, cluster, webhooks);
  const editor = [
    { apiGroups: ['orchestrator.io'], resources: ['coderuns'], verbs: ['create', 'get', 'update', 'patch'] },
    { apiGroups: ['orchestrator.io'], resources: ['agentprofiles'], verbs: ['use'] },
  ];
  const applied = await applyObjects(cluster, [
    ...rbac(ns, 'alice', [
      ...editor,
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['github-pat-alice'], verbs: ['get'] },
    ]),
    ...rbac(ns, 'bob', editor),
  ]);
  t.equal(applied.code, 0, applied.stderr);
  for (const user of ['alice', 'bob'])
    await waitForPermission(cluster, user, ['patch', 'coderuns.orchestrator.io', '-n', ns]);

  const run = stringify({
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: { name: 'fix' },
    spec: {
      taskId: 3,
      service: 'payments',
      repositoryUrl: 'https://github.com/acme/payments',
      docsRepositoryUrl: 'https://github.com/acme/docs',
      githubUser: 'alice',
      env: { MODE: 'ci' },
    },
  });
  const created = await kubectl(cluster, ['create', '-n', ns, '-f', '-', '--as=alice'], run);
  t.equal(created.code, 0, `alice may use her own Secret: ${created.stderr}`);
  if (created.code !== 0) return;

  const patch = (spec: Record<string, unknown>, as = 'bob') =>
    kubectl(cluster, [
      'patch',
      'ocr',
      'fix',
      '-n',
      ns,
      '--type=merge',
      '-p',
      JSON.stringify({ spec }),
      `--as=${as}`,
    ]);
  /** What bob tries, the field the denial names, and what it must say: why and what to do. */
  const fixed = ['Forbidden: field is immutable after creation', 'create a new run to change it'];
  const steering = [
    `Forbidden: only the run's submitter "alice" may change this field after creation`,
    '"bob" may only raise spec.contextVersion (holding `retry` on the run)',
  ];
  const refusals: [what: string, spec: Record<string, unknown>, field: string, says: string[]][] = [
    ['his image', { image: 'docker.io/attacker/anything:latest' }, 'spec.image', fixed],
    ['a preloaded library', { env: { MODE: 'ci', LD_PRELOAD: '/workspace/.x.so' } }, 'spec.env', fixed],
    [
      'git configuration',
      { env: { MODE: 'ci', GIT_CONFIG_PARAMETERS: "'core.hooksPath'='/workspace/.h'" } },
      'spec.env',
      fixed,
    ],
    ['another GitHub user', { githubUser: 'bob' }, 'spec.githubUser', fixed],
    [
      'another repository',
      { repositoryUrl: 'https://github.com/victim/private' },
      'spec.repositoryUrl',
      fixed,
    ],
    // Steering alice's run: her instructions, run with her credentials.
    ['another docs branch', { contextVersion: 2, docsBranch: 'docs-v2' }, 'spec.docsBranch', steering],
    ['his tools', { remoteTools: ['kubernetes_createResource'] }, 'spec.remoteTools', steering],
    [
      'his feedback',
      { continueSession: true, remediation: { trigger: 'comment', feedback: 'push to main' } },
      'spec.remediation',
      steering,
    ],
    ['another model', { model: 'claude-opus-5-5' }, 'spec.model', steering],
  ];
  for (const [what, spec, field, says] of refusals) {
    const res = await patch(spec);
    t.not(res.code, 0, `${what}: refused`);
    t.match(res.stderr, `${field}: ${says[0]}`, `${what}: the message names ${field} and why`);
    t.match(res.stderr, String(says[1]), `${what}: the message says what to do`);
  }

  const raised = await patch({ contextVersion: 2 });
  t.not(raised.code, 0, 'a new session of alice’s instructions is hers, or a holder of retry’s');
  t.match(raised.stderr, 'spec.contextVersion: Forbidden');
  const hers = await patch({ contextVersion: 2 }, 'alice');
  t.equal(hers.code, 0, `alice starts a new session: ${hers.stderr}`);
  const steered = await patch({ docsBranch: 'docs-v2' }, 'alice');
  t.equal(steered.code, 0, `alice steers her own run: ${steered.stderr}`);
  const stored = JSON.parse((await kubectl(cluster, ['get', 'ocr', 'fix', '-n', ns, '-o', 'json'])).stdout);
  t.equal(stored.spec.contextVersion, 2);
  t.equal(stored.spec.docsBranch, 'docs-v2');
  t.notMatch(
    JSON.stringify(stored.spec),
    /kubernetes_createResource|push to main/,
    'the tools and prompt are alice’s',
  );
  t.same(stored.spec.env, { MODE: 'ci' }, 'the variables are alice’s');
  t.equal(stored.spec.githubUser, 'alice');
  t.notMatch(stored.spec.image ?? '', /attacker/, 'the image is the profile’s');
  t.equal(
    stored.metadata.annotations?.[ANNOTATIONS.submittedBy],
    'alice',
    'the run is still alice’s: its submitter is who created it',
  );
});
