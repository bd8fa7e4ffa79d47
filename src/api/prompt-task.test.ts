// A TaskRun written as a prompt and a repository: what admission derives, what it refuses, and the
// task file the agent reads.
import t from 'tap';
import { defaultsPatch } from '../admission/defaults.js';
import { admitOffline } from '../admission/offline.js';
import { validateRun } from '../admission/validate-run.js';
import { loadDefaultConfig } from '../config/load.js';
import { loadTemplateSet, renderTaskRun } from '../render/index.js';
import { defaulted } from './defaulting.js';
import { PROMPT_FILENAME, promptService, promptTaskId } from './prompt-task.js';
import type { TaskRun } from './types.js';

const config = loadDefaultConfig();
const PROMPT = 'Fix the flaky payment test.\n';

const promptRun = (spec: Record<string, unknown> = {}): TaskRun =>
  ({
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: 'fix-flaky', namespace: 'team-a' },
    spec: { prompt: PROMPT, repository: { url: 'acme/Payments.API', githubUser: 'octocat' }, ...spec },
  }) as TaskRun;

t.test("the service is the repository's name as a DNS label", async (t) => {
  t.equal(promptService('https://github.com/acme/Payments.API'), 'payments-api');
  t.equal(promptService('https://github.com/acme/payments.git'), 'payments');
  t.equal(promptService('https://github.com/acme/payments/'), 'payments');
  t.equal(promptService('git@github.com:acme/web_app.git'), 'web-app');
  t.equal(promptService('ssh://git@ghe.acme.test:2222/acme/api'), 'api');
  t.equal(promptService('https://github.com/acme/___'), undefined, 'nothing left: no service');
  const long = promptService(`https://github.com/acme/${'x'.repeat(100)}`);
  t.equal(long?.length, 63, 'cut to 63 with a hash of the whole');
});

t.test('the task id: 10 digits, the same for the same prompt, repository and branch', async (t) => {
  const id = promptTaskId(PROMPT, 'https://github.com/acme/pay', 'main');
  t.ok(Number.isSafeInteger(id) && id >= 1_000_000_000 && id <= 9_999_999_999, `${id} has 10 digits`);
  t.equal(promptTaskId(PROMPT, 'https://github.com/acme/pay', 'main'), id, 'the same task');
  const others = [
    promptTaskId('Fix the flaky payment test!\n', 'https://github.com/acme/pay', 'main'),
    promptTaskId(PROMPT, 'https://github.com/acme/pay2', 'main'),
    promptTaskId(PROMPT, 'https://github.com/acme/pay', 'release'),
  ];
  for (const other of others) t.not(other, id, 'another prompt, repository or branch: another task');
  // Spread: 2,000 prompts, no two on one id (the chance of any collision is about 2e-4).
  const ids = new Set(Array.from({ length: 2000 }, (_, i) => promptTaskId(`task ${i}`, 'u', 'b')));
  t.equal(ids.size, 2000);
});

t.test('admission derives the task id, the service and what follows from them', async (t) => {
  const run = defaulted('TaskRun', promptRun(), config);
  const url = 'https://github.com/acme/Payments.API';
  t.equal(run.spec.repository?.url, url, 'org/repo made explicit first');
  t.equal(run.spec.serviceName, 'payments-api');
  t.equal(run.spec.taskId, promptTaskId(PROMPT, url, 'main'), 'hashed from the stored URL and branch');
  t.equal(run.spec.workspace?.pvcName, 'workspace-payments-api', "the workspace is the service's");
  t.match(run.metadata?.labels, {
    'orchestrator.io/task-id': String(run.spec.taskId),
    'orchestrator.io/service': 'payments-api',
  });
  t.equal(
    defaulted('TaskRun', promptRun({ repository: { url, branch: 'main' } }), config).spec.taskId,
    run.spec.taskId,
    'the shorthand and the explicit form are one task',
  );
  const patch = defaultsPatch('TaskRun', promptRun() as unknown as Record<string, unknown>, config);
  t.same(
    patch.filter((op) => ['/spec/serviceName', '/spec/taskId'].includes(op.path)),
    [
      { op: 'add', path: '/spec/serviceName', value: 'payments-api' },
      { op: 'add', path: '/spec/taskId', value: run.spec.taskId },
    ],
    "the webhook's patch adds them",
  );
  t.same(
    defaultsPatch('TaskRun', run as unknown as Record<string, unknown>, config),
    [],
    'and adds nothing twice',
  );
});

t.test('what the user set is kept', async (t) => {
  const run = defaulted('TaskRun', promptRun({ taskId: 12, serviceName: 'payments' }), config);
  t.equal(run.spec.taskId, 12);
  t.equal(run.spec.serviceName, 'payments');
  const seed = defaulted(
    'TaskRun',
    {
      metadata: { name: 's' },
      spec: { taskId: 3, serviceName: 'api', markdownFiles: [{ filename: 't.md' }] },
    },
    config,
  );
  t.same([seed.spec.taskId, seed.spec.serviceName], [3, 'api'], 'a run without a prompt derives nothing');
});

const findings = (run: unknown) =>
  admitOffline('TaskRun', run as Record<string, unknown>, config).findings.map(
    (f) => `${f.severity} ${f.rule} ${f.path}: ${f.message}`,
  );

t.test('a prompt and a repository are a whole TaskRun; refusals name the field', async (t) => {
  t.same(findings(promptRun()), [], 'admitted');
  const noTask = promptRun({ taskId: 1, serviceName: 'payments' });
  delete noTask.spec.prompt;
  t.match(findings(noTask), [
    /^error task-given spec\.markdownFiles: Required value: give the task, as markdown files \(spec\.markdownFiles\) or as a prompt \(spec\.prompt\)$/,
  ]);
  t.match(
    findings({ ...promptRun(), spec: { prompt: PROMPT } }),
    [/^error \S+ spec\.serviceName: .*[Rr]equired/],
    'no repository: nothing to name the service after',
  );
  t.same(
    findings({ ...promptRun(), spec: { prompt: PROMPT, serviceName: 'notes' } }),
    [],
    'a prompt without a repository names its service',
  );
  t.match(findings(promptRun({ markdownFiles: [{ filename: PROMPT_FILENAME, content: 'x' }] })), [
    `error unique-filenames spec.markdownFiles[0].filename: Duplicate value: "prompt.md" (also spec.prompt, the prompt's task file); each file becomes a ConfigMap key, so names must be unique`,
  ]);
  t.ok(
    findings(promptRun({ prompt: '' })).some((f) => f.startsWith('error schema spec.prompt: ')),
    'an empty prompt is no task',
  );
  const big = 'x'.repeat(900 * 1024);
  t.match(
    validateRun({
      kind: 'TaskRun',
      object: defaulted('TaskRun', promptRun({ prompt: big }), config),
      operation: 'CREATE',
      config,
    }).map((f) => `${f.rule} ${f.message}`),
    [/^size-budget Too long: .* largest: spec\.prompt 900\.0 KiB/],
    'the prompt counts towards the budget',
  );
});

t.test('the agent reads the prompt as its first task file, the markdown files after it', async (t) => {
  const set = loadTemplateSet();
  const run = defaulted(
    'TaskRun',
    promptRun({ markdownFiles: [{ filename: 'context.md', fileType: 'context', content: '# Context\n' }] }),
    config,
  );
  const { data, context } = renderTaskRun(set, run, config, 1);
  t.equal(data['task_prompt.md'], PROMPT, 'the prompt verbatim');
  t.equal(data['task_context.md'], '# Context\n');
  t.same(
    context.task.files.map((f) => [f.filename, f.fileType]),
    [
      ['prompt.md', 'prompt'],
      ['context.md', 'context'],
    ],
  );
  t.match(data['CLAUDE.md'], /### prompt\.md \(prompt\)\n\n@\.task\/\d{10}\/run-1\/prompt\.md/);
  t.match(data['container.sh'], new RegExp(`readonly TASK_ID='${run.spec.taskId}'`));
});
