// config/argo checked without a cluster (docs/argo.md): the runs the WorkflowTemplates create pass
// the offline admission of `orchestrator validate`, their success and failure conditions match the
// phases the operator writes, every parameter and template reference resolves, the DAG runs the
// right agent at each stage, and the Sensors and EventSource pass Argo Events' JSON schema.
import t from 'tap';
import { admitOffline, runKindOf } from '../../src/admission/offline.js';
import {
  isRestrictedProfile,
  loadSchemas,
  runAgent,
  runFinished,
  runProfile,
  runResource,
} from '../../src/api/index.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { formatFinding } from '../../src/validation/finding.js';
import { argoEventsCheck } from '../harness/deploy/argo.js';
import { conditionHolds, failureHolds, parseCondition } from '../harness/deploy/argo-conditions.js';
import {
  argoObjects,
  argumentsOf,
  createdRun,
  fieldAt,
  SAMPLE_PARAMETERS,
  sampleWorkflow,
  sensorTriggers,
  type Template,
  template,
  type WorkflowTemplate,
  workflowTemplate,
  workflowTemplates,
} from '../harness/deploy/argo-manifests.js';
import { seedConfig } from '../harness/util/app-configs.js';

// The templates' App parameters still default to the seed's Apps (decision 0044; #54), so their runs
// are judged by an install with the seed's Apps.
const config = seedConfig();
const objects = argoObjects();
const templates = workflowTemplates(objects);
/** The templates that create a run (orchestrator-play's waits are resource templates that only read). */
const createsRun = (tp: Template) => tp.resource?.action === 'create';
const resourceTemplates = templates.flatMap((wt) =>
  wt.spec.templates.filter(createsRun).map((tp) => ({ wt, tp })),
);

/** What `orchestrator validate` says of a run: its kind and every finding, errors and warnings. */
function offline(run: KubeObject) {
  const kind = runKindOf(run);
  if (!kind) throw new Error(`not a run: ${run.apiVersion} ${run.kind}`);
  return {
    kind,
    findings: admitOffline(kind, run as Record<string, unknown>, config).findings.map(formatFinding),
  };
}

const agentOf = (app: string) => Object.entries(config.agents).find(([, a]) => a.githubApp === app);

t.test('conditions are parsed strictly, as label selectors over the object', async (t) => {
  t.same(parseCondition('status.phase == Succeeded'), [
    { key: 'status.phase', operator: '==', values: ['Succeeded'] },
  ]);
  t.same(parseCondition('status.phase in (Failed, Error),!status.x'), [
    { key: 'status.phase', operator: 'in', values: ['Failed', 'Error'] },
    { key: 'status.x', operator: '!', values: [] },
  ]);
  for (const bad of [
    '',
    'status.phase ~= Failed',
    'status.phase == "Failed"',
    'status.phase in Failed',
    'a b',
  ])
    t.throws(() => parseCondition(bad), `refused: ${JSON.stringify(bad)}`);
  const run = { status: { phase: 'Failed' } };
  t.ok(conditionHolds('status.phase in (Failed)', run));
  t.notOk(conditionHolds('status.phase == Succeeded', run));
  t.ok(conditionHolds('status.phase != Succeeded', {}), 'an absent field is none of the values');
  t.notOk(conditionHolds('status.phase == Succeeded', {}));
});

t.test('success and failure conditions match the phases the operator writes', async (t) => {
  t.ok(resourceTemplates.length >= 2, 'coderun-template and docsrun-template have resource templates');
  for (const { wt, tp } of resourceTemplates) {
    const { successCondition, failureCondition } = tp.resource ?? {};
    const where = `${wt.metadata?.name}/${tp.name}`;
    t.ok(successCondition && failureCondition, `${where} has both conditions`);
    const { kind } = offline(createdRun(tp, SAMPLE_PARAMETERS));
    const phases = (loadSchemas()[kind].properties?.status?.properties?.phase?.enum ?? []) as string[];
    t.ok(phases.length > 0, `${kind}'s phases from its schema`);
    // Just created (no status yet), then each phase the operator can write.
    for (const phase of [undefined, ...phases]) {
      const run = { spec: {}, status: phase ? { phase, attempt: 1 } : undefined };
      const success = conditionHolds(String(successCondition), run);
      const failure = failureHolds(String(failureCondition), run);
      const final = runFinished(kind, run);
      t.notOk(success && failure, `${where}: ${phase} is not both success and failure`);
      t.equal(
        success || failure,
        final,
        `${where}: ${phase ?? 'no phase'} ends the step iff the run is finished`,
      );
      t.equal(success, phase === 'Succeeded', `${where}: ${phase ?? 'no phase'} is success iff Succeeded`);
    }
  }
});

t.test('the runs the templates create pass offline admission', async (t) => {
  for (const { wt, tp } of resourceTemplates) {
    const run = createdRun(tp, SAMPLE_PARAMETERS);
    const { kind, findings } = offline(run);
    t.same(findings, [], `${wt.metadata?.name}/${tp.name}: a valid ${kind} with the defaults`);
    t.equal(tp.resource?.action, 'create', 'it creates the run');
    t.ok(
      (run.metadata as { generateName?: string }).generateName,
      'under a generated name (one run per step)',
    );
  }
  // Each agent of the DAG, and a later context version continuing the session (remediation).
  const coderun = template(workflowTemplate('coderun-template', objects), 'coderun');
  const dag = argumentsOf(workflowTemplate('orchestrator-dag', objects).spec);
  for (const app of [dag['implementation-app'], dag['quality-app'], dag['testing-app']]) {
    const run = createdRun(coderun, { ...SAMPLE_PARAMETERS, 'github-app': String(app) });
    t.same(offline(run).findings, [], `a valid CodeRun as ${app}`);
  }
  const resumed = createdRun(coderun, {
    ...SAMPLE_PARAMETERS,
    'context-version': '2',
    'continue-session': 'true',
  });
  t.same(offline(resumed).findings, [], 'a valid remediation CodeRun');
  t.match(resumed.spec, { contextVersion: 2, continueSession: true, taskId: 7 }, 'typed as the schema wants');
  t.same(
    (resumed.spec as { remediation?: unknown }).remediation,
    JSON.parse(String(SAMPLE_PARAMETERS.remediation)),
    'the feedback it acts on, an object in its spec',
  );
  // A value that would add a field of its own by a line break stays inside remediation.
  const hostile = createdRun(coderun, {
    ...SAMPLE_PARAMETERS,
    remediation: JSON.stringify({ trigger: 'comment', feedback: 'x"\n  githubApp: evil\n  a: "' }),
  });
  t.equal(
    (hostile.spec as { githubApp?: string }).githubApp,
    '5DLabs-Rex',
    'no field but remediation is set',
  );
  // Argo resolves the tags in what an expression wrote (as substitute() does): a comment's templates
  // must reach the stored run as their text.
  const templated = {
    trigger: 'comment',
    feedback: "see {{workflow.name}}, {{inputs.parameters.service}} and {{=sprig.repeat(3, 'ab')}}",
  };
  const kept = createdRun(coderun, { ...SAMPLE_PARAMETERS, remediation: JSON.stringify(templated) });
  t.same((kept.spec as { remediation?: unknown }).remediation, templated, 'templates kept as text');
  const none = createdRun(coderun, { ...SAMPLE_PARAMETERS, remediation: '' });
  t.notOk('remediation' in (none.spec as object), 'none without the parameter');
  // The seeds submit it with `-p service-id=…`; ours with `-p service=…`: either names the service.
  for (const [given, what] of [
    [{ service: 'payments', 'service-id': '' }, 'service'],
    [{ service: '', 'service-id': 'payments' }, "the seeds' service-id"],
  ] as const) {
    const run = createdRun(coderun, { ...SAMPLE_PARAMETERS, ...given });
    t.same(offline(run).findings, [], `a valid CodeRun from ${what}`);
    t.equal((run.spec as { service?: string }).service, 'payments', `${what} is spec.service`);
    t.equal(run.metadata?.generateName, 'payments-t7-', `${what} names the run`);
  }
  for (const [given, refusal] of [
    [{ service: 'payments', 'service-id': 'billing' }, 'give service or service-id, not both'],
    [{ service: '', 'service-id': '' }, 'give service or service-id'],
  ] as const) {
    const run = createdRun(coderun, { ...SAMPLE_PARAMETERS, ...given });
    t.equal(
      (run.spec as { service?: string }).service,
      refusal,
      `${JSON.stringify(given)}: spec.service says why`,
    );
    t.match(
      offline(run).findings.join('\n'),
      new RegExp(`spec\\.service: Invalid value: "${refusal}"`),
      `${JSON.stringify(given)}: refused, naming spec.service`,
    );
  }
});

/** Every `{{tag}}` in `value`. */
const tags = (value: unknown): string[] =>
  [...JSON.stringify(value).matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((m) => m[1] as string);

t.test('every parameter and template reference of the WorkflowTemplates resolves', async (t) => {
  const declared = (wt: WorkflowTemplate) => (wt.spec.arguments?.parameters ?? []).map((p) => p.name);
  for (const wt of templates) {
    // A WorkflowTemplate without an entrypoint (orchestrator-play-steps, -association) runs only in the
    // Workflows of those that call it by templateRef: its workflow parameters are those every caller
    // with an entrypoint declares (another part calling it runs in those same Workflows).
    const callers = templates.filter(
      (c) => c.spec.entrypoint && JSON.stringify(c.spec.templates).includes(`"name":"${wt.metadata?.name}"`),
    );
    const workflowParams = new Set(
      wt.spec.entrypoint
        ? declared(wt)
        : declared(callers[0] ?? wt).filter((p) => callers.every((c) => declared(c).includes(p))),
    );
    if (wt.spec.entrypoint)
      t.ok(template(wt, wt.spec.entrypoint), `${wt.metadata?.name}: its entrypoint exists`);
    else t.ok(callers.length, `${wt.metadata?.name}: called by templateRef`);
    for (const tp of wt.spec.templates) {
      const inputs = new Set((tp.inputs?.parameters ?? []).map((p) => p.name));
      const fansOut = JSON.stringify(tp).includes('"withParam"');
      for (const tag of tags(tp)) {
        const [scope, kind, name] = tag.split('.');
        const known =
          tag === 'workflow.name' ||
          tag === 'workflow.uid' ||
          (tag === 'item' && fansOut) ||
          (scope === 'steps' && kind !== undefined && (tp.steps ?? []).flat().some((s) => s.name === kind)) ||
          (scope === 'inputs' && kind === 'parameters' && inputs.has(String(name))) ||
          (scope === 'workflow' && kind === 'parameters' && workflowParams.has(String(name)));
        t.ok(known, `${wt.metadata?.name}/${tp.name}: {{${tag}}} resolves`);
      }
      const calls = [...(tp.dag?.tasks ?? []), ...(tp.steps ?? []).flat()];
      for (const call of calls) {
        const target: Template = call.templateRef
          ? template(workflowTemplate(call.templateRef.name, objects), call.templateRef.template)
          : template(wt, String(call.template));
        const given = new Set((call.arguments?.parameters ?? []).map((p) => p.name));
        for (const p of target.inputs?.parameters ?? [])
          if (p.default === undefined && p.value === undefined)
            t.ok(given.has(p.name), `${tp.name}/${call.name}: passes ${target.name}'s input ${p.name}`);
        const declared = new Set((target.inputs?.parameters ?? []).map((p) => p.name));
        for (const name of given)
          t.ok(declared.has(name), `${tp.name}/${call.name}: ${name} is an input of ${target.name}`);
      }
    }
    // The workflow's own arguments are the entrypoint's inputs (Argo passes them to it).
    if (!wt.spec.entrypoint) continue;
    const entry = template(wt, wt.spec.entrypoint);
    for (const p of entry.inputs?.parameters ?? [])
      t.ok(workflowParams.has(p.name), `${wt.metadata?.name}: ${p.name} is listed in spec.arguments`);
  }
});

t.test(
  'the DAG chains implementation, quality and testing agents, then waits for approval, per task',
  async (t) => {
    const dag = workflowTemplate('orchestrator-dag', objects);
    const args = argumentsOf(dag.spec);
    for (const [param, role] of [
      ['implementation-app', 'implementation'],
      ['quality-app', 'quality'],
      ['testing-app', 'testing'],
    ] as const) {
      const agent = agentOf(String(args[param]));
      t.equal(agent?.[1].role, role, `${param} (${args[param]}) is the ${role} agent of the seed's install`);
    }
    const fanOut = template(dag, dag.spec.entrypoint).dag?.tasks ?? [];
    t.equal(fanOut.length, 1);
    t.equal(fanOut[0]?.withParam, '{{workflow.parameters.task-ids}}', 'one chain per task id');
    const chain = template(dag, String(fanOut[0]?.template)).dag?.tasks ?? [];
    const byName = Object.fromEntries(chain.map((c) => [c.name, c]));
    t.equal(byName.quality?.depends, 'implementation');
    t.equal(byName.testing?.depends, 'quality');
    t.equal(byName.approval?.depends, 'testing');
    t.ok(template(dag, String(byName.approval?.template)).suspend, 'approval is a suspend point');
    for (const stage of ['implementation', 'quality', 'testing'])
      t.match(byName[stage]?.arguments?.parameters, [
        {},
        { name: 'github-app', value: `{{workflow.parameters.${stage}-app}}` },
      ]);
  },
);

t.test('semaphores name the shipped limits, and the accounts may do what the steps do', async (t) => {
  const semaphores = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name?.endsWith('-semaphores'));
  const limits = semaphores?.data as Record<string, string>;
  type Synchronized = {
    synchronization?: { semaphores?: { configMapKeyRef: { name: string; key: string } }[] };
  };
  const refs = templates
    .flatMap((wt) => [wt.spec as Synchronized, ...(wt.spec.templates as Synchronized[])])
    .flatMap((x) => x.synchronization?.semaphores ?? [])
    .map((sem) => sem.configMapKeyRef);
  t.ok(refs.length >= 5, 'the two run templates, the DAG, the play and its implementation take a semaphore');
  for (const ref of refs) {
    t.equal(ref.name, semaphores?.metadata?.name);
    // A key from a parameter (the play's per repository and organisation) is added by the play with
    // its default (test/config/argo-play-limits.test.ts).
    for (const key of ref.key.includes('{{') ? ['default-repository', 'default-organization'] : [ref.key])
      t.match(limits[key], /^[1-9][0-9]*$/, `limit ${key} is a positive count`);
  }
  const role = (name: string) =>
    (objects.find((o) => o.kind === 'Role' && o.metadata?.name === name)?.rules ?? []) as Array<{
      apiGroups: string[];
      resources: string[];
      verbs: string[];
    }>;
  const allows = (name: string, group: string, resource: string, verb: string) =>
    role(name).some(
      (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
    );
  for (const wt of templates) {
    const account = (wt.spec as { serviceAccountName?: string }).serviceAccountName;
    t.ok(
      objects.some((o) => o.kind === 'ServiceAccount' && o.metadata?.name === account),
      `${wt.metadata?.name} runs as a shipped account`,
    );
    for (const tp of wt.spec.templates.filter(createsRun)) {
      const { plural, group } = runResource(offline(createdRun(tp, SAMPLE_PARAMETERS)).kind);
      for (const verb of ['create', 'get', 'watch'])
        t.ok(allows(String(account), group, plural, verb), `${account} may ${verb} ${plural}`);
    }
    for (const verb of ['create', 'patch'])
      t.ok(
        allows(String(account), 'argoproj.io', 'workflowtaskresults', verb),
        `${account} may ${verb} workflowtaskresults`,
      );
  }
  // The profile of each run the templates create with their defaults (the DAG's apps too) is one the
  // account may use: the submitter's `use agentprofiles` check (src/admission/references).
  const dagApps = argumentsOf(workflowTemplate('orchestrator-dag', objects).spec);
  for (const wt of templates) {
    const account = String((wt.spec as { serviceAccountName?: string }).serviceAccountName);
    const rules = role(account) as Array<{ resources: string[]; resourceNames?: string[]; verbs: string[] }>;
    for (const tp of wt.spec.templates.filter(createsRun)) {
      const apps = ['implementation-app', 'quality-app', 'testing-app'].map((p) => ({
        'github-app': String(dagApps[p]),
      }));
      for (const parameters of [{}, ...(tp.name === 'coderun' ? apps : [])]) {
        const run = createdRun(tp, { ...SAMPLE_PARAMETERS, ...parameters });
        const kind = offline(run).kind;
        const agent = String(runAgent(kind, run.spec as Record<string, unknown>, config));
        const named = rules.filter(
          (r) =>
            r.resources.includes('agentprofiles') && (!r.resourceNames || r.resourceNames.includes(agent)),
        );
        const where = `${agent} (${wt.metadata?.name}/${tp.name})`;
        // Everyone who may create Workflows acts as the account: it holds no restricted profile, which
        // its team grants itself (docs/argo.md).
        if (isRestrictedProfile(runProfile(kind, run.spec as Record<string, unknown>, config, agent)))
          t.same(named, [], `${account} holds no right on restricted profile ${where}`);
        else
          t.ok(
            named.some((r) => r.verbs.includes('use')),
            `${account} may use agent profile ${where}`,
          );
      }
    }
  }
  for (const sensor of objects.filter((o) => o.kind === 'Sensor')) {
    const account = String(fieldAt(sensor, 'spec.template.serviceAccountName'));
    const triggers = (sensor.spec as { triggers: { template: { k8s: { operation?: string } } }[] }).triggers;
    // A k8s trigger's patch reads the object first (and creates it when missing, which the patching
    // Sensors' account must not do: test/config/argo-play.test.ts).
    const verbs = new Set(
      triggers.flatMap(({ template }) =>
        (template.k8s.operation ?? 'create') === 'patch' ? ['get', 'patch'] : ['create'],
      ),
    );
    for (const verb of verbs)
      t.ok(
        allows(account, 'argoproj.io', 'workflows', verb),
        `${sensor.metadata?.name}'s ${account} may ${verb} workflows`,
      );
  }
});

t.test("Sensors and the EventSource pass Argo Events' JSON schema, closed to unknown fields", async (t) => {
  const check = await argoEventsCheck();
  const events = objects.filter((o) => o.kind === 'Sensor' || o.kind === 'EventSource');
  t.ok(events.length >= 4, 'an EventSource and the Sensors');
  for (const o of events) t.same(check(o).map(formatFinding), [], `${o.kind} ${o.metadata?.name}`);
  const typo = structuredClone(events.find((o) => o.kind === 'Sensor') as KubeObject);
  (typo.spec as Record<string, unknown>).dependancies = [];
  t.match(check(typo).map(formatFinding), [/dependancies/], 'a misspelt field is refused');
  const sources = events.filter((o) => o.kind === 'EventSource');
  for (const s of events.filter((o) => o.kind === 'Sensor')) {
    for (const d of (s.spec as { dependencies: Array<{ eventSourceName: string; eventName: string }> })
      .dependencies) {
      const source = sources.find((e) => e.metadata?.name === d.eventSourceName);
      t.ok(
        fieldAt(source, `spec.github.${d.eventName}`),
        `${s.metadata?.name}: ${d.eventSourceName}/${d.eventName} is shipped`,
      );
    }
  }
});

t.test(
  'each Sensor submits a shipped WorkflowTemplate with its parameters, and valid runs follow',
  async (t) => {
    const triggers = sensorTriggers(objects);
    t.ok(triggers.length >= 3);
    for (const trigger of triggers) {
      const where = `${trigger.sensor}/${trigger.trigger}`;
      for (const dest of trigger.dests)
        t.not(fieldAt(trigger.workflow, dest), undefined, `${where}: ${dest} exists`);
      const wt = workflowTemplate(trigger.workflow.spec.workflowTemplateRef.name, objects);
      const entry = template(wt, wt.spec.entrypoint);
      const args = argumentsOf(sampleWorkflow(trigger).spec);
      const declared = new Set((entry.inputs?.parameters ?? []).map((p) => p.name));
      const workflowParams = new Set((wt.spec.arguments?.parameters ?? []).map((p) => p.name));
      for (const name of Object.keys(args))
        t.ok(
          declared.has(name) || workflowParams.has(name),
          `${where}: ${name} is a parameter of ${wt.metadata?.name}`,
        );
      for (const p of wt.spec.arguments?.parameters ?? [])
        if (p.value === undefined && !p.valueFrom)
          t.ok(p.name in args, `${where}: gives ${wt.metadata?.name}'s required ${p.name}`);
      if (entry.resource) {
        const { kind, findings } = offline(createdRun(entry, args));
        t.same(findings, [], `${where}: the ${kind} it creates passes offline admission`);
      }
    }
  },
);
