// The reference checks asked of RBAC: the questions (user as given, the object's name, namespace),
// alternatives, the apiserver's wording of a denial, and a question that gets no answer.
import t from 'tap';
import { RuleReviewer } from '../../../test/harness/fakes/access-reviewers.js';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import type { ResourceAttributes } from '../../auth/index.js';
import { judgeReferences, uncheckedText } from './check.js';
import { referencesToCheck } from './table.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = seedConfig();
const user = { username: 'system:serviceaccount:team:pm', uid: '42', groups: ['system:serviceaccounts'] };
const checks = referencesToCheck({
  kind: 'CodeRun',
  config,
  spec: {
    githubApp: '5DLabs-Rex',
    service: 'payments',
    serviceAccountName: 'deployer',
    workspace: { pvcName: 'billing' },
    envFromSecrets: [{ name: 'DB', secretName: 'db-password', secretKey: 'pw' }],
  },
});
const resourceOf = (a: unknown) => (a as { resource: ResourceAttributes }).resource;

t.test(
  'all allowed: nothing found; each question names the object, in the namespace, as the user',
  async (t) => {
    const rbac = new RuleReviewer();
    t.same(await judgeReferences(rbac, user, 'team', checks), []);
    t.same(
      rbac.asked.map((q) => resourceOf(q.attributes)),
      [
        { verb: 'get', group: '', resource: 'secrets', namespace: 'team', name: 'db-password' },
        {
          verb: 'create',
          group: '',
          resource: 'serviceaccounts',
          subresource: 'token',
          namespace: 'team',
          name: 'deployer',
        },
        { verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace: 'team', name: 'deployer' },
        {
          verb: 'use',
          group: 'orchestrator.io',
          resource: 'persistentvolumeclaims',
          namespace: 'team',
          name: 'billing',
        },
        { verb: 'create', group: '', resource: 'pods', namespace: 'team' },
        { verb: 'use', group: 'orchestrator.io', resource: 'agentprofiles', namespace: 'team', name: 'rex' },
      ],
    );
    t.ok(
      rbac.asked.every((q) => q.user === user),
      'the user as given: uid and groups included',
    );
  },
);

t.test("denials in the apiserver's wording, with the field and why", async (t) => {
  const findings = await judgeReferences(new RuleReviewer(() => false), user, 'team', checks);
  t.same(
    findings.map((f) => [f.rule, f.path, f.message]),
    [
      [
        'reference-access',
        'spec.envFromSecrets[0].secretName',
        'secrets "db-password" is forbidden: User "system:serviceaccount:team:pm" cannot get resource "secrets" in API group "" in the namespace "team": the agent would read this Secret; a Role rule allowing it: {apiGroups: [""], resources: [secrets], resourceNames: [db-password], verbs: [get]}',
      ],
      [
        'reference-access',
        'spec.serviceAccountName',
        'serviceaccounts "deployer" is forbidden: User "system:serviceaccount:team:pm" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team", nor impersonate resource "serviceaccounts" in API group "" in the namespace "team": the agent\'s pod would run as this ServiceAccount (and with any cloud identity bound to it); a Role rule allowing it: {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [deployer], verbs: [create]} or {apiGroups: [""], resources: [serviceaccounts], resourceNames: [deployer], verbs: [impersonate]}',
      ],
      [
        'reference-access',
        'spec.workspace.pvcName',
        'persistentvolumeclaims "billing" is forbidden: User "system:serviceaccount:team:pm" cannot use resource "persistentvolumeclaims" in API group "orchestrator.io" in the namespace "team", nor create resource "pods" in API group "" in the namespace "team": the agent\'s pod would mount this claim as its workspace; a Role rule allowing it: {apiGroups: [orchestrator.io], resources: [persistentvolumeclaims], resourceNames: [billing], verbs: [use]} or {apiGroups: [""], resources: [pods], verbs: [create]}',
      ],
      [
        'reference-access',
        'spec.githubApp',
        'agentprofiles "rex" is forbidden: User "system:serviceaccount:team:pm" cannot use resource "agentprofiles" in API group "orchestrator.io" in the namespace "team": the profile runs its pods as ServiceAccount orchestrator-agent, act as GitHub App 5DLabs-Rex, with its image; a Role rule allowing it: {apiGroups: [orchestrator.io], resources: [agentprofiles], resourceNames: [rex], verbs: [use]}',
      ],
    ],
  );
});

t.test('one alternative allowed is enough: impersonation without token creation', async (t) => {
  const rbac = new RuleReviewer(
    (_u, a) => resourceOf(a).resource !== 'serviceaccounts' || resourceOf(a).verb === 'impersonate',
  );
  t.same(await judgeReferences(rbac, user, 'team', checks), []);
});

t.test(
  'no answer: refused, saying the check could not be made; an allowed alternative still admits',
  async (t) => {
    const down = new RuleReviewer(
      () => new Error('POST /apis/authorization.k8s.io/v1/subjectaccessreviews: no answer within 3000 ms'),
    );
    t.match(await judgeReferences(down, user, 'team', checks.slice(0, 1)), [
      {
        rule: 'reference-check-unavailable',
        path: 'spec.envFromSecrets[0].secretName',
        message:
          'secrets "db-password" could not be checked: the SubjectAccessReview failed (POST /apis/authorization.k8s.io/v1/subjectaccessreviews: no answer within 3000 ms); the run is refused until it can be made, try again',
      },
    ]);
    const half = new RuleReviewer((_u, a) =>
      resourceOf(a).verb === 'impersonate' ? true : new Error('timeout'),
    );
    t.same(await judgeReferences(half, user, 'team', checks.slice(1, 2)), []);
    const refusedAndDown = new RuleReviewer((_u, a) =>
      resourceOf(a).verb === 'impersonate' ? false : new Error('timeout'),
    );
    t.match(
      await judgeReferences(refusedAndDown, user, 'team', checks.slice(1, 2)),
      [{ rule: 'reference-check-unavailable' }],
      'an unanswered alternative might have allowed it: unavailable, not forbidden',
    );
  },
);

t.test('the questions are asked at once, not one after another', async (t) => {
  let pending = 0;
  let most = 0;
  const slow = {
    authenticate: async () => ({ authenticated: false as const, reason: '' }),
    authorize: async () => {
      most = Math.max(most, ++pending);
      await new Promise((resolve) => setImmediate(resolve));
      pending--;
      return { allowed: true, reason: '' };
    },
  };
  await judgeReferences(slow, user, 'team', checks);
  t.equal(most, 6, 'all six questions (two for the claim) in flight together');
});

t.test('offline: one line per check, naming field, object and permission', async (t) => {
  t.same(
    uncheckedText(checks[1] as (typeof checks)[number], 'team'),
    'spec.serviceAccountName: serviceaccounts "deployer": not checked offline: at admission the run\'s submitter must be allowed to create resource "serviceaccounts/token" in API group "" in the namespace "team", or impersonate resource "serviceaccounts" in API group "" in the namespace "team" (the agent\'s pod would run as this ServiceAccount (and with any cloud identity bound to it))',
  );
  t.match(uncheckedText(checks[0] as (typeof checks)[number]), /in the namespace "<the run's namespace>"/);
});

t.test(
  'the cluster-access profile and an App repository: the denial names the profile or repository and the rules',
  async (t) => {
    const run = referencesToCheck({
      kind: 'CodeRun',
      config,
      spec: {
        githubApp: '5DLabs-Tess',
        service: 'payments',
        repositoryUrl: 'https://github.com/Acme/Payments',
      },
    });
    const findings = await judgeReferences(new RuleReviewer(() => false), user, 'team', run);
    t.same(
      findings.map((f) => `${f.path}: ${f.message}`),
      [
        'spec.githubApp: agentprofiles "tess" is forbidden: User "system:serviceaccount:team:pm" cannot use-restricted resource "agentprofiles" in API group "orchestrator.io" in the namespace "team": the profile runs its pods as ServiceAccount orchestrator-agent-cluster-access with cluster access; a Role rule allowing it: {apiGroups: [orchestrator.io], resources: [agentprofiles], resourceNames: [tess], verbs: [use-restricted]}',
        'spec.repositoryUrl: repositories "github.com/acme/payments" is forbidden: User "system:serviceaccount:team:pm" cannot use resource "repositories" in API group "orchestrator.io" in the namespace "team", nor use resource "repositories" in API group "orchestrator.io" in the namespace "team" named "github.com/acme/*": the operator would mint GitHub App 5DLabs-Tess\'s installation token for this repository into the agent\'s pod; a Role rule allowing it: {apiGroups: [orchestrator.io], resources: [repositories], resourceNames: [github.com/acme/payments], verbs: [use]} or {apiGroups: [orchestrator.io], resources: [repositories], resourceNames: [github.com/acme/*], verbs: [use]}',
      ],
    );
    const ownerGrant = new RuleReviewer((_u, a) => resourceOf(a).name === 'github.com/acme/*');
    t.same(
      (await judgeReferences(ownerGrant, user, 'team', run)).map((f) => f.path),
      ['spec.githubApp'],
      "an owner-wide grant allows the owner's repositories",
    );
    t.match(
      uncheckedText(run[0] as (typeof run)[number], 'team'),
      'spec.githubApp: agentprofiles "tess": not checked offline: at admission the run\'s submitter must be allowed to use-restricted resource "agentprofiles" in API group "orchestrator.io" in the namespace "team" (the profile runs its pods as ServiceAccount orchestrator-agent-cluster-access with cluster access)',
    );
  },
);
