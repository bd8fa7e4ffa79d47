// orchestrator-play and the Sensor github-play-gates checked without a cluster (docs/argo.md "The
// event-gated play"): the play's stages and waits in the seeds' order; each wait opened by the
// GitHub event the seed names, through the Sensor, on the Workflow the play must be named (the
// correlation of task and repository); the events that must not open a wait do not; the accounts may
// do what the waits and the Sensor do; the EventSource subscribes every event a Sensor listens for.
// The Sensor's filters and templates are evaluated by test/harness/deploy/sensor-eval.ts, not by
// Argo Events (test/integration/argo-events.test.ts runs that).
import t from 'tap';
import type { KubeObject } from '../../src/runtime/index.js';
import {
  argoObjects,
  argumentsOf,
  callee,
  playTemplates,
  type Template,
  template,
} from '../harness/deploy/argo-manifests.js';
import { dependencies, gates, patches, type Trigger } from '../harness/deploy/play-gates.js';
import {
  type Filters,
  renderTemplate,
  type SensorEvent,
  sensorEvent,
} from '../harness/deploy/sensor-eval.js';
import { githubPayload, type Payload } from '../harness/remote/github.js';
import {
  type PullRequestDelivery,
  pullRequestLabelled,
  pullRequestOpened,
  pullRequestReviewed,
} from '../harness/remote/github-pull-request.js';

const objects = argoObjects();
const asEvent = (d: PullRequestDelivery) => sensorEvent(d.event, d.body);
const play = playTemplates(objects);
const stepsOf = (name: string) => template(play, name).steps?.flat() ?? [];
const steps = stepsOf(play.spec.entrypoint);
/** A step of the play, of its quality round's stages, or of its implementation. */
const step = (name: string) =>
  [...steps, ...stepsOf('stages'), ...stepsOf('organization')].find((s) => s.name === name);
const param = (
  s: { arguments?: { parameters?: Array<{ name: string; value?: string }> } } | undefined,
  name: string,
) => s?.arguments?.parameters?.find((p) => p.name === name)?.value;

/** The name the play must have for task `taskId` of service `service` (its association step's rule). */
function playName(service: string, taskId: string): string {
  const checks = template(play, callee(step('association'))).steps?.flat() ?? [];
  const when = String(checks.find((c) => c.name === 'misnamed')?.when);
  const rule = /!= '([^']+)'$/.exec(when)?.[1] ?? '';
  // The service is service-id or service, exactly one given: the play reads the two joined.
  return rule
    .replace('{{workflow.parameters.service-id}}{{workflow.parameters.service}}', service)
    .replace('{{workflow.parameters.task-id}}', taskId);
}

const opened = (change?: (p: Payload) => void) => asEvent(pullRequestOpened(7, change));
const labelled = (name: string) => asEvent(pullRequestLabelled(7, name));
const reviewed = (state: string) => asEvent(pullRequestReviewed(7, state));

t.test('the play runs the seed stages in order, each agent followed by its wait', async (t) => {
  t.same(
    steps.map((s) => s.name),
    [
      'association',
      'limits',
      'implementation',
      'pull-request',
      'associated',
      'qa',
      'deploy',
      'acceptance',
      'approval',
    ],
  );
  t.equal(step('qa')?.template, 'qa');
  t.same(
    stepsOf('stages').map((s) => s.name),
    ['quality', 'ready-for-qa', 'associated', 'testing', 'approved'],
    'the quality round: each agent followed by its wait',
  );
  const args = argumentsOf(play.spec);
  for (const stage of ['quality', 'testing'])
    t.equal(
      param(step(stage), 'github-app'),
      `{{workflow.parameters.${stage}-app}}`,
      `${stage} runs its app`,
    );
  t.equal(
    param(step('agent'), 'github-app'),
    '{{workflow.parameters.implementation-app}}',
    'implementation runs its app',
  );
  t.ok(template(play, callee(step('approval'))).suspend, 'a person approves last');
  for (const wait of ['pull-request', 'ready-for-qa', 'approved']) {
    const timeout = /^\{\{workflow\.parameters\.(.+)\}\}$/.exec(String(param(step(wait), 'timeout')))?.[1];
    t.match(args[String(timeout)], /^[1-9][0-9]*$/, `${wait}: its timeout is a parameter in seconds`);
    t.match(param(step(wait), 'waits-for'), /\w/, `${wait}: says what it waits for`);
  }
  // The wait: read the Workflow until the label is set, for at most the timeout; else fail saying why.
  const gate = template(play, 'gate');
  const [wait, aborted, timedOut, pushed] = gate.steps?.flat() ?? [];
  const reader = template(play, callee(wait)) as Template & { activeDeadlineSeconds?: string };
  t.equal(reader.activeDeadlineSeconds, '{{inputs.parameters.timeout}}');
  t.match(reader.resource, {
    action: 'get',
    successCondition: 'metadata.labels.{{inputs.parameters.label}} == true',
    failureCondition: 'metadata.labels.{{inputs.parameters.aborted-by}} == true',
    manifest: /kind: Workflow\nmetadata:\n\s+name: "\{\{workflow\.name\}\}"/,
  });
  t.equal(aborted?.when, '{{steps.wait.status}} != Succeeded', 'a failed wait: was it aborted?');
  t.match(template(play, callee(aborted)).resource, {
    action: 'get',
    successCondition: 'metadata.labels.{{inputs.parameters.label}} == true',
    failureCondition: 'metadata.labels.{{inputs.parameters.label}} != true',
  });
  t.equal(param(aborted, 'label'), '{{inputs.parameters.aborted-by}}');
  t.equal(timedOut?.when, '{{steps.wait.status}} != Succeeded && {{steps.aborted.status}} != Succeeded');
  t.match(
    param(timedOut, 'reason'),
    /\{\{inputs\.parameters\.waits-for\}\}, in vain/,
    'the failure names the wait',
  );
  t.equal(pushed?.when, '{{steps.wait.status}} != Succeeded && {{steps.aborted.status}} == Succeeded');
  t.match(
    param(pushed, 'reason'),
    /^a push to the task's branch ended the wait for \{\{inputs\.parameters\.waits-for\}\}$/,
  );
  t.match(
    template(play, 'fail').container?.command,
    ['sh', '-c', /\/dev\/termination-log/],
    'the reason is the step message',
  );
});

t.test('each seed event opens its wait on the play of the task and repository, and only it', async (t) => {
  const cases = [
    { event: opened(), wait: 'pull-request' },
    { event: labelled('ready-for-qa'), wait: 'ready-for-qa' },
    { event: reviewed('approved'), wait: 'approved' },
  ];
  for (const { event, wait } of cases) {
    const done = patches(event);
    t.same(
      done.map((d) => d.trigger),
      [wait],
      `${wait}: one trigger`,
    );
    const [{ operation, patch } = {} as never] = done;
    t.equal(operation, 'patch');
    t.equal(patch.kind, 'Workflow');
    t.equal(patch.metadata.name, playName('payments', '7'), `${wait}: the play of task 7 of acme/payments`);
    t.same(
      patch.metadata.labels,
      { [String(param(step(wait), 'label'))]: 'true' },
      `${wait}: sets the label its wait reads`,
    );
    t.same(
      patch.metadata.annotations,
      {
        'play-branch': 'feature/task-7-implementation',
        'play-pr-number': '12',
        'play-labels': JSON.stringify(event.body.pull_request.labels.map((l: { name: string }) => l.name)),
      },
      `${wait}: passes branch, prNumber and the labels`,
    );
  }
  const nothing: Array<[string, SensorEvent]> = [
    [
      'a fork',
      opened((p) => {
        p.pull_request.head.repo.full_name = 'mallory/payments';
      }),
    ],
    [
      'a branch not named like a task',
      opened((p) => {
        p.pull_request.head.ref = 'rex/retry-captures';
      }),
    ],
    [
      'an edited pull request',
      opened((p) => {
        p.action = 'edited';
      }),
    ],
    ['another label', labelled('ready-for-qa-later')],
    ['a review requesting changes', reviewed('changes_requested')],
    ['a review comment', reviewed('commented')],
    ['the opened payload as another event', sensorEvent('issues', opened().body)],
  ];
  for (const [what, event] of nothing) t.same(patches(event), [], `${what} opens nothing`);
});

t.test('the Sensor and the waits have the rights they use; the EventSource sends their events', async (t) => {
  const rules = (name: string) =>
    (objects.find((o) => o.kind === 'Role' && o.metadata?.name === name)?.rules ?? []) as Array<{
      resources: string[];
      verbs: string[];
    }>;
  const may = (role: string, verb: string) =>
    rules(role).some((r) => r.resources.includes('workflows') && r.verbs.includes(verb));
  const sensorAccount = (gates.spec as { template: { serviceAccountName: string } }).template
    .serviceAccountName;
  // Argo Events' k8s patch reads the Workflow first, and creates it from the trigger when it is missing.
  for (const verb of ['get', 'patch'])
    t.ok(may(sensorAccount, verb), `${sensorAccount} may ${verb} workflows`);
  t.notOk(may(sensorAccount, 'create'), `${sensorAccount} may not create workflows (a task without a play)`);
  const account = String((play.spec as { serviceAccountName?: string }).serviceAccountName);
  for (const verb of ['get', 'watch']) t.ok(may(account, verb), `${account} may ${verb} workflows`);
  for (const d of dependencies) t.notOk(d.filtersLogicalOperator, `${d.name}: an AND of its filters`);
  const source = objects.find((o) => o.kind === 'EventSource') as KubeObject;
  const events = (source.spec as { github: { org: { events: string[] } } }).github.org.events;
  for (const sensor of objects.filter((o) => o.kind === 'Sensor'))
    for (const d of (sensor.spec as { dependencies: Array<{ filters: Filters }> }).dependencies) {
      const header = d.filters.data?.find((f) => f.path === 'headers.X-Github-Event')?.value[0];
      const name = /^\^\\\["(\w+)"\\\]\$$/.exec(String(header))?.[1];
      t.ok(name && events.includes(name), `${sensor.metadata?.name}: ${name} is subscribed`);
    }
  for (const seed of [
    'pull_request',
    'pull_request_review',
    'pull_request_review_comment',
    'check_run',
    'push',
  ])
    t.ok(events.includes(seed), `the seed's ${seed} is subscribed`);
});

t.test('a task label starts the play under the name its events are sent to', async (t) => {
  const sensor = objects.find((o) => o.kind === 'Sensor' && o.metadata?.name === 'github-task-label');
  const [{ template: start } = {} as never] = ((sensor as KubeObject).spec as { triggers: Trigger[] })
    .triggers;
  const resource = start.k8s.source.resource as KubeObject & {
    spec: { workflowTemplateRef: { name: string }; arguments: { parameters: Array<{ name: string }> } };
  };
  t.equal(resource.spec.workflowTemplateRef.name, 'orchestrator-play');
  const issue = sensorEvent(
    'issues',
    githubPayload('issue_comment.issue', (p) => {
      p.action = 'labeled';
      p.label = { name: 'task-7' };
      p.repository.name = 'Pay_ments.API';
    }),
  );
  const values = Object.fromEntries(
    start.k8s.parameters.map((p) => [
      p.dest,
      p.src.dataTemplate
        ? renderTemplate(p.src.dataTemplate, issue)
        : renderTemplate(`{{ .Input.${p.src.dataKey} }}`, issue),
    ]),
  );
  const argument = (name: string) =>
    values[
      `spec.arguments.parameters.${resource.spec.arguments.parameters.findIndex((p) => p.name === name)}.value`
    ];
  t.equal(argument('task-id'), '7');
  t.equal(argument('service-id'), 'pay-ments-api');
  t.equal(values['metadata.name'], playName('pay-ments-api', '7'), 'the name its association step requires');
  const [gate] = patches(
    opened((p) => {
      p.repository.name = 'Pay_ments.API';
    }),
  );
  t.equal(gate?.patch.metadata.name, values['metadata.name'], "the pull request's events go to that play");
});
