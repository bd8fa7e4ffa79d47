// orchestrator-play's limits and outputs checked without a cluster (docs/argo.md "Limits", "Stage
// results and cost"): the keys a play's repository URL gives, the ConfigMap write that adds them with
// their defaults and keeps a listed value, the repository's semaphore around the organisation's, what
// the executor's account may do to ConfigMaps, and the play's outputs, each stage's from its step.
// test/integration/argo-workflows/rounds.ts executes them on Argo.
import t from 'tap';
import {
  argoObjects,
  argumentOf,
  callee,
  createdRun,
  playTemplates,
  stepsOf,
  substitute,
  type Template,
  type TemplateCall,
  template,
} from '../harness/deploy/argo-manifests.js';

const objects = argoObjects();
const play = playTemplates(objects);
const stepIn = (tpl: string, name: string) => stepsOf(play, tpl).find((s) => s.name === name);
const param = (s: TemplateCall | undefined, name: string) => String(argumentOf(s, name));
type Synchronized = Template & {
  synchronization?: { semaphores?: Array<{ configMapKeyRef: { name: string; key: string } }> };
  outputs?: { parameters?: Array<{ name: string; valueFrom: Record<string, string> }> };
};
const semaphores = objects.find(
  (o) => o.kind === 'ConfigMap' && o.metadata?.name === 'orchestrator-argo-semaphores',
);
const limits = (semaphores as { data?: Record<string, string> } | undefined)?.data ?? {};

/** The repository (organisation.name) a play of `url` passes to its limits step. */
const repositoryOf = (url: string) =>
  substitute(param(stepIn('play', 'limits'), 'repository'), { 'workflow.parameters.repository-url': url });

/** The keys a play of `url` takes: its limits step's argument, then the keys it passes on. */
function keysOf(url: string) {
  const repository = repositoryOf(url);
  const keys = stepIn('limits', 'keys');
  const values = { 'inputs.parameters.repository': repository };
  return {
    repository: substitute(param(keys, 'repository-key'), values),
    organization: substitute(param(keys, 'organization-key'), values),
  };
}

t.test("a play's keys are its repository's and its organisation's, whatever the URL's form", async (t) => {
  for (const url of [
    'https://github.com/acme/payments',
    'https://github.com/Acme/Payments.git',
    'https://github.com/acme/payments/',
    'git@github.com:acme/payments.git',
    'ssh://git@github.com/acme/payments.git',
    'acme/payments',
  ])
    t.same(keysOf(url), { repository: 'repository.acme.payments', organization: 'organization.acme' }, url);
  t.same(
    keysOf('https://github.com/acme/pay.ments_v2'),
    { repository: 'repository.acme.pay.ments_v2', organization: 'organization.acme' },
    "a repository name's dots stay in its key (an organisation's name has none)",
  );
  const { repository, organization } = keysOf('https://github.com/acme/payments');
  for (const key of [repository, organization]) t.match(key, /^[-._a-zA-Z0-9]+$/, `${key}: a ConfigMap key`);
  t.match(limits['default-repository'], /^[1-9][0-9]*$/, 'a default per repository');
  t.match(limits['default-organization'], /^[1-9][0-9]*$/, 'a default per organisation');
});

t.test('a missing key is added with its default; a listed one keeps its value', async (t) => {
  const write = template(play, 'write-limits');
  const patch = (data: Record<string, string>) =>
    createdRun(write, {
      'repository-key': 'repository.acme.payments',
      'organization-key': 'organization.acme',
      data: JSON.stringify(data),
      'resource-version': '4711',
    });
  const defaults = { 'default-repository': '1', 'default-organization': '3', coderuns: '4' };
  const fresh = patch(defaults);
  t.match(fresh, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orchestrator-argo-semaphores' } });
  t.equal(fresh.metadata?.resourceVersion, '4711', "the version read: a person's edit in between conflicts");
  t.same((fresh as { data?: object }).data, {
    'repository.acme.payments': '1',
    'organization.acme': '3',
  });
  const listed = patch({ ...defaults, 'repository.acme.payments': '2', 'organization.acme': '5' });
  t.same(
    (listed as { data?: object }).data,
    { 'repository.acme.payments': '2', 'organization.acme': '5' },
    'listed keys keep their values, and no other key is written',
  );
  t.match(template(play, 'write-limits').resource, { action: 'patch', mergeStrategy: 'merge' });
  t.match(template(play, 'read-limits').resource, {
    action: 'get',
    manifest: /name: orchestrator-argo-semaphores/,
  });
  const add = template(play, 'add-limits') as Synchronized & { retryStrategy?: { retryPolicy?: string } };
  t.equal(add.retryStrategy?.retryPolicy, 'Always', 'a conflict reads and writes again');
  t.same(
    stepsOf(play, 'add-limits').map((s) => s.name),
    ['read', 'write'],
  );
});

t.test(
  "the repository's semaphore holds the organisation's, which holds the implementation agent",
  async (t) => {
    t.same(
      stepsOf(play, 'play')
        .map((s) => s.name)
        .slice(0, 3),
      ['association', 'limits', 'implementation'],
      'the keys are there before the step that takes them',
    );
    const implementation = stepIn('play', 'implementation');
    t.equal(param(implementation, 'repository-key'), '{{steps.limits.outputs.parameters.repository-key}}');
    t.equal(
      param(implementation, 'organization-key'),
      '{{steps.limits.outputs.parameters.organization-key}}',
    );
    const keysOut = (template(play, 'limits') as Synchronized).outputs?.parameters?.map(
      (p) => p.valueFrom.parameter,
    );
    t.same(keysOut, [
      '{{steps.keys.outputs.parameters.repository-key}}',
      '{{steps.keys.outputs.parameters.organization-key}}',
    ]);
    const ref = (key: string) => ({
      semaphores: [{ configMapKeyRef: { name: 'orchestrator-argo-semaphores', key } }],
    });
    t.same(
      (template(play, 'implementation') as Synchronized).synchronization,
      ref('{{inputs.parameters.repository-key}}'),
    );
    t.equal(callee(stepIn('implementation', 'organization')), 'organization');
    t.same(
      (template(play, 'organization') as Synchronized).synchronization,
      ref('{{inputs.parameters.organization-key}}'),
      'taken only once the repository has a place: a play waiting for its repository is in no queue of its organisation',
    );
    const agent = stepIn('organization', 'agent');
    t.equal(callee(agent), 'agent');
    t.equal(param(agent, 'github-app'), '{{workflow.parameters.implementation-app}}');

    const rules = (objects.find((o) => o.kind === 'Role' && o.metadata?.name === 'orchestrator-workflow')
      ?.rules ?? []) as Array<{
      apiGroups: string[];
      resources: string[];
      resourceNames?: string[];
      verbs: string[];
    }>;
    const onConfigMaps = rules.filter((r) => r.resources.includes('configmaps'));
    t.same(
      onConfigMaps,
      [
        {
          apiGroups: [''],
          resources: ['configmaps'],
          resourceNames: ['orchestrator-argo-semaphores'],
          verbs: ['get', 'patch'],
        },
      ],
      'the executor may read and patch the semaphore ConfigMap, no other',
    );
  },
);

t.test("the play's outputs: each stage's run, pull request, cost and attempts, from its step", async (t) => {
  const outputs = (name: string) =>
    Object.fromEntries(
      ((template(play, name) as Synchronized).outputs?.parameters ?? []).map((p) => [p.name, p.valueFrom]),
    );
  type Output = { name: string; globalName?: string };
  for (const p of (template(play, 'play') as Template & { outputs?: { parameters?: Output[] } }).outputs
    ?.parameters ?? [])
    t.equal(
      p.globalName,
      p.name,
      `${p.name}: the Workflow's output (status.outputs), not only its entrypoint's`,
    );
  t.same(outputs('play'), {
    implementation: { parameter: '{{steps.implementation.outputs.parameters.result}}' },
    quality: { parameter: '{{steps.qa.outputs.parameters.quality}}' },
    testing: { parameter: '{{steps.qa.outputs.parameters.testing}}' },
    deploy: { parameter: '{{steps.deploy.outputs.parameters.result}}', default: '' },
    acceptance: { parameter: '{{steps.acceptance.outputs.parameters.result}}', default: '' },
  });
  t.same(outputs('implementation'), {
    result: { parameter: '{{steps.organization.outputs.parameters.result}}' },
  });
  t.same(outputs('organization'), { result: { parameter: '{{steps.agent.outputs.parameters.result}}' } });
  t.same(outputs('stages'), {
    quality: { parameter: '{{steps.quality.outputs.parameters.result}}' },
    testing: { parameter: '{{steps.testing.outputs.parameters.result}}' },
  });
  for (const stage of ['quality', 'testing'])
    t.same(
      outputs('qa')[stage],
      { expression: `steps.restart.outputs.parameters.${stage} ?? steps.stages.outputs.parameters.${stage}` },
      `${stage}: the last round's (a restarted round's, else this one's)`,
    );
  // The agent's result: its run's four outputs as one JSON object.
  const agent = outputs('agent');
  const fields = ['run-name', 'pull-request-url', 'cost-usd', 'attempts'];
  for (const f of fields) t.same(agent[f], { parameter: `{{steps.run.outputs.parameters.${f}}}` });
  const result = String(agent.result?.expression);
  const values = Object.fromEntries(fields.map((f) => [`steps.run.outputs.parameters.${f}`, `${f}'"\\`]));
  t.same(
    JSON.parse(substitute(`{{=${result}}}`, values)),
    Object.fromEntries(fields.map((f) => [f, `${f}'"\\`])),
    'each field under its own name, quoted as JSON',
  );
});

t.test("the limits' keys come only from a repository a GitHub name could be", async (t) => {
  const check = stepIn('limits', 'repository');
  t.equal(check?.template, 'fail', 'a failing step guards the keys');
  const fails = (repository: string) =>
    substitute(String(check?.when), { 'inputs.parameters.repository': repository }) === 'true';
  for (const url of ['https://github.com/acme/payments', 'git@github.com:5dlabs/cto-play.v2.git', 'a-b/c_d'])
    t.notOk(fails(repositoryOf(url)), `${url} passes`);
  for (const hostile of [
    'https://github.com/acme/x"\n  other: "1',
    'https://github.com/acme/x\nacme.y',
    'https://github.com/acme/a b',
    'https://github.com/ac_me/x',
    'https://github.com/acme/pay$ments',
  ])
    t.ok(fails(repositoryOf(hostile)), `${JSON.stringify(hostile)} fails the play`);
  t.match(
    argumentOf(check, 'reason'),
    /^limits: repository-url must name a GitHub organisation and repository/,
    'saying why',
  );
});
