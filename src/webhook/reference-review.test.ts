// The validating webhooks' reference checks, through the routes as the apiserver calls them: asked
// for the requester of the review, only for what is new on UPDATE, not for the trusted manager, and
// denied in the apiserver's wording (403) to the apiserver, without the requester's permissions to a
// caller not proven to be it, or 503 when RBAC could not be asked; a run naming too many objects is
// refused before any question.
import t from 'tap';
import { type Answer, RuleReviewer } from '../../test/harness/fakes/access-reviewers.js';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import type { AdmissionRequest } from '../admission/request.js';
import { staticConfig } from '../api/index.js';
import type { ResourceAttributes } from '../auth/index.js';
import { admissionRoutes } from './handlers.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = staticConfig(seedConfig());
const manager = 'system:serviceaccount:orchestrator-system:orchestrator';
const codeRun = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'CodeRun',
  metadata: { name: 'fix', namespace: 'team' },
  spec: {
    taskId: 1,
    service: 'payments',
    repositoryUrl: 'https://github.com/acme/payments',
    docsRepositoryUrl: 'https://github.com/acme/docs',
    githubApp: '5DLabs-Rex',
    ...spec,
  },
});
const userInfo = {
  username: 'system:serviceaccount:team:pm',
  uid: 'u-1',
  groups: ['system:serviceaccounts', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/pod-name': ['pm-0'] },
};
const review = (object: Record<string, unknown>, over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'r',
  kind: { group: 'orchestrator.io', version: 'v1', kind: 'CodeRun' },
  operation: 'CREATE',
  name: 'fix',
  namespace: 'team',
  userInfo,
  object,
  ...over,
});
const validate = (rbac: RuleReviewer, request: AdmissionRequest, caller = { apiserver: true }) =>
  admissionRoutes({ config, reviewer: rbac, trustedSubmitters: () => new Set([manager]) })
    .find((r) => r.name === 'validate-coderun')
    ?.handle(request, caller);
const secret = (name: string) => ({ name: 'X', secretName: name, secretKey: 'k' });
const isPower = (a: unknown) =>
  ['agentprofiles', 'repositories'].includes((a as { resource: ResourceAttributes }).resource.resource);
/**
 * RBAC as `answer` says, the agent profile and App repositories of the runs here allowed (those rows are
 * judged in src/admission/references/powers.test.ts and check.test.ts).
 */
const rbacOf = (answer: Answer = () => true) => new RuleReviewer((u, a) => isPower(a) || answer(u, a));
/** The names asked about, the profile and repositories left out. */
const names = (rbac: RuleReviewer) =>
  rbac.asked
    .filter((q) => !isPower(q.attributes))
    .map((q) => (q.attributes as { resource: ResourceAttributes }).resource.name);

t.test('refused for the requester: 403 naming each object, field and permission', async (t) => {
  const rbac = rbacOf((_user, a) => (a as { resource: ResourceAttributes }).resource.name === 'ok');
  const res = await validate(
    rbac,
    review(
      codeRun({
        envFromSecrets: [secret('ok'), { ...secret('db'), name: 'Y' }],
        serviceAccountName: 'deployer',
      }),
    ),
  );
  t.same(res, {
    allowed: false,
    code: 403,
    reason: 'Forbidden',
    rule: 'reference-access',
    findings: 2,
    message:
      'CodeRun.orchestrator.io "fix" is forbidden: [spec.envFromSecrets[1].secretName: secrets "db" is forbidden: User "system:serviceaccount:team:pm" cannot get resource "secrets" in API group "" in the namespace "team": the agent would read this Secret; a Role rule allowing it: {apiGroups: [""], resources: [secrets], resourceNames: [db], verbs: [get]}, ' +
      'spec.serviceAccountName: serviceaccounts "deployer" is forbidden: User "system:serviceaccount:team:pm" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team", nor impersonate resource "serviceaccounts" in API group "" in the namespace "team": the agent\'s pod would run as this ServiceAccount (and with any cloud identity bound to it); a Role rule allowing it: {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [deployer], verbs: [create]} or {apiGroups: [""], resources: [serviceaccounts], resourceNames: [deployer], verbs: [impersonate]}]',
    warnings: [],
  });
  t.same(rbac.asked[0]?.user, userInfo, 'asked as the requester: user, uid, groups and extra');
});

t.test('allowed: admitted with the validation warnings; nothing to check asks nothing', async (t) => {
  const rbac = rbacOf();
  t.same(await validate(rbac, review(codeRun({ envFromSecrets: [secret('db')], model: 'unknown-model' }))), {
    allowed: true,
    warnings: [
      /* the unknown model */ 'spec.model: "unknown-model" is not one of the configured models ("claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-4-5"); the agent may reject it',
    ],
  });
  t.same(names(rbac), ['db']);
  const quiet = rbacOf();
  t.same(await validate(quiet, review(codeRun())), { allowed: true, warnings: [] });
  t.same(names(quiet), [], 'defaults only: no question but the profile and the repositories');
  t.equal(quiet.asked.length, 5, 'the profile, and each repository by its name and its owner-wide name');
});

t.test('an invalid run is refused for its fields first, without a question', async (t) => {
  const rbac = rbacOf(() => false);
  t.match(await validate(rbac, review(codeRun({ envFromSecrets: [secret('db')], githubApp: 'nope' }))), {
    allowed: false,
    code: 422,
  });
  t.same(rbac.asked, []);
});

t.test('the manager is trusted: it checks those it acts for itself', async (t) => {
  const rbac = rbacOf(() => false);
  t.same(
    await validate(
      rbac,
      review(codeRun({ envFromSecrets: [secret('db')] }), { userInfo: { username: manager } }),
    ),
    { allowed: true, warnings: [] },
  );
  t.same(rbac.asked, []);
});

t.test('an UPDATE asks nothing: what a run may use is fixed when it is created', async (t) => {
  const rbac = rbacOf(() => false);
  // pm's own run: its submitter may steer it (src/admission/fields/steering.ts).
  const own = (run: ReturnType<typeof codeRun>) => ({
    ...run,
    metadata: { ...run.metadata, annotations: { 'orchestrator.io/submitted-by': userInfo.username } },
  });
  const stored = own(codeRun({ envFromSecrets: [secret('db')] }));
  const update = (object: ReturnType<typeof codeRun>) =>
    validate(rbac, review(own(object), { operation: 'UPDATE', oldObject: stored }));
  t.same(await update(codeRun({ envFromSecrets: [secret('db')], model: 'claude-haiku-4-5' })), {
    allowed: true,
    warnings: [],
  });
  t.match(await update(codeRun({ envFromSecrets: [secret('db'), { ...secret('api'), name: 'Z' }] })), {
    allowed: false,
    code: 422,
    rule: 'fixed-after-create',
    message: /spec\.envFromSecrets\[\]\.secretName: Forbidden: field is immutable after creation/,
  });
  t.same(names(rbac), [], 'neither the stored Secret nor the added one was asked about');
});

t.test('RBAC not answering: 503 saying the check could not be made', async (t) => {
  const rbac = rbacOf(
    () => new Error('POST /apis/authorization.k8s.io/v1/subjectaccessreviews: no answer within 3000 ms'),
  );
  t.match(await validate(rbac, review(codeRun({ workspace: { pvcName: 'other' } }))), {
    allowed: false,
    code: 503,
    reason: 'ServiceUnavailable',
    rule: 'reference-check-unavailable',
    message:
      /^CodeRun\.orchestrator\.io "fix" is forbidden: spec\.workspace\.pvcName: persistentvolumeclaims "other" could not be checked: the SubjectAccessReview failed \(.*no answer within 3000 ms\)/,
  });
});

/** The command a withheld denial lists for `use` of a virtual resource in the namespace team. */
const selfReview = (resource: string, name: string) =>
  `echo '{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"team","verb":"use","group":"orchestrator.io","resource":"${resource}","name":"${name}"}}}' | kubectl create --validate=false -f - -o jsonpath='{.status.allowed}'`;

t.test('a caller not proven to be the apiserver: what the run needs, not whom RBAC refuses', async (t) => {
  const rbac = rbacOf((_user, a) => (a as { resource: ResourceAttributes }).resource.name === 'ok');
  const run = codeRun({
    envFromSecrets: [secret('ok'), { ...secret('db'), name: 'Y' }],
    serviceAccountName: 'deployer',
  });
  const res = await validate(rbac, review(run), { apiserver: false });
  t.match(res, { allowed: false, code: 403, reason: 'Forbidden', rule: 'reference-access', findings: 2 });
  const denied = res as { message: string; logDetail: { correlation: string; message: string } };
  t.equal(
    denied.message,
    'CodeRun.orchestrator.io "fix" is forbidden: its submitter may not use every object it names (the agent\'s pod would use them, so the submitter must be allowed to). Check each with: ' +
      'spec.envFromSecrets[0].secretName: kubectl auth can-i get secrets/ok -n team; spec.envFromSecrets[1].secretName: kubectl auth can-i get secrets/db -n team; ' +
      'spec.serviceAccountName: kubectl auth can-i create serviceaccounts/deployer --subresource=token -n team (or) kubectl auth can-i impersonate serviceaccounts/deployer -n team; ' +
      // A virtual resource of the API group: kubectl auth can-i cannot resolve it, the review itself can.
      `spec.githubApp: ${selfReview('agentprofiles', 'rex')}; ` +
      `spec.repositoryUrl: ${selfReview('repositories', 'github.com/acme/payments')} (or) ${selfReview('repositories', 'github.com/acme/*')}; ` +
      `spec.docsRepositoryUrl: ${selfReview('repositories', 'github.com/acme/docs')} (or) ${selfReview('repositories', 'github.com/acme/*')}. ` +
      `The webhook's log says which was refused, under correlation id ${denied.logDetail.correlation}.`,
  );
  t.notMatch(denied.message, 'system:serviceaccount:team:pm', 'the requester is not named');
  t.match(
    denied.logDetail.message,
    'User "system:serviceaccount:team:pm" cannot get resource "secrets"',
    'the log has it',
  );
  const unanswered = rbacOf(() => new Error('no answer'));
  t.match(
    await validate(unanswered, review(run), { apiserver: false }),
    {
      code: 503,
      message: /could not be checked/,
    },
    "a check that could not be made says so: it names no one's permission",
  );
});

t.test(
  'a run naming more objects than the bound: refused naming the field and the limit, nothing asked',
  async (t) => {
    const rbac = rbacOf();
    const many = Array.from({ length: 40 }, (_, i) => ({ ...secret(`s${i}`), name: `V${i}` }));
    t.same(await validate(rbac, review(codeRun({ envFromSecrets: many }))), {
      allowed: false,
      code: 422,
      reason: 'Invalid',
      rule: 'reference-limit',
      findings: 1,
      message:
        'CodeRun.orchestrator.io "fix" is invalid: the run names 43 distinct objects whose use its submitter must be allowed (spec.envFromSecrets[].secretName names 40, spec.agent names 1, spec.repositoryUrl names 2); at most 32 per run, each asked of RBAC: name fewer Secrets, accounts or claims (several env entries may share one Secret)',
      warnings: [],
    });
    t.same(rbac.asked, [], 'no SubjectAccessReview');
    const shared = Array.from({ length: 100 }, (_, i) => ({ ...secret(`s${i % 3}`), name: `V${i}` }));
    t.same(await validate(rbac, review(codeRun({ envFromSecrets: shared }))), {
      allowed: true,
      warnings: [],
    });
    t.same(new Set(names(rbac)).size, 3, '100 entries of three Secrets: three objects asked about');
  },
);

t.test("another's claim needs a right that implies writing it: view's get does not do", async (t) => {
  const claim = codeRun({ workspace: { pvcName: 'alices-workspace' } });
  const rbacWith = (allowed: (r: ResourceAttributes) => boolean) =>
    rbacOf((_u, a) => allowed((a as { resource: ResourceAttributes }).resource));
  // What the built-in view role grants on claims: get, list, watch.
  const viewer = rbacWith((r) => r.group === '' && r.resource === 'persistentvolumeclaims');
  t.match(await validate(viewer, review(claim)), {
    allowed: false,
    code: 403,
    message:
      /spec\.workspace\.pvcName: persistentvolumeclaims "alices-workspace" is forbidden: .*cannot use resource "persistentvolumeclaims" in API group "orchestrator\.io" .*, nor create resource "pods" in API group "" in the namespace "team"/,
  });
  const granted = rbacWith(
    (r) => r.group === 'orchestrator.io' && r.verb === 'use' && r.name === 'alices-workspace',
  );
  t.match(
    await validate(granted, review(claim)),
    { allowed: true },
    'use persistentvolumeclaims.orchestrator.io',
  );
  const podMaker = rbacWith((r) => r.resource === 'pods' && r.verb === 'create' && r.name === undefined);
  t.match(
    await validate(podMaker, review(claim)),
    { allowed: true },
    'create pods: it could mount it anyway',
  );
});

t.test('a profile the config restricts needs use-restricted, whatever the roles grant', async (t) => {
  // Chart values that give cipher cluster access; the editor roles still name it with `use`.
  const base = seedConfig();
  const cipher = base.agents.cipher;
  if (!cipher) throw new Error('the shipped config has cipher');
  const widened = {
    ...base,
    agents: {
      ...base.agents,
      cipher: { ...cipher, clusterAccess: true, serviceAccountName: 'orchestrator-agent-cluster-access' },
    },
  };
  const run = codeRun({ githubApp: cipher.githubApp });
  const route = (rbac: RuleReviewer) =>
    admissionRoutes({ config: staticConfig(widened), reviewer: rbac, trustedSubmitters: () => new Set() })
      .find((r) => r.name === 'validate-coderun')
      ?.handle(review(run), { apiserver: true });
  const resourceOf = (a: unknown) => (a as { resource: ResourceAttributes }).resource;
  // An editor: `use` of every shipped profile (and the run's repositories).
  const editor = new RuleReviewer((_u, a) => resourceOf(a).verb === 'use');
  t.match(await route(editor), {
    allowed: false,
    code: 403,
    message:
      /spec\.githubApp: agentprofiles "cipher" is forbidden: User "system:serviceaccount:team:pm" cannot use-restricted resource "agentprofiles" .*with cluster access; a Role rule allowing it: \{apiGroups: \[orchestrator\.io\], resources: \[agentprofiles\], resourceNames: \[cipher\], verbs: \[use-restricted\]\}/,
  });
  const granted = new RuleReviewer((_u, a) => ['use', 'use-restricted'].includes(resourceOf(a).verb));
  t.match(await route(granted), { allowed: true }, 'its own grant admits it');
  const shipped = admissionRoutes({ config, reviewer: editor }).find((r) => r.name === 'validate-coderun');
  t.match(
    await shipped?.handle(review(run), { apiserver: true }),
    { allowed: true },
    'with the shipped config, cipher is an editor profile',
  );
});
