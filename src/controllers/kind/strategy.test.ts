import t from 'tap';
import { type CodeRun, type DocsRun, runFinished, specAttempt, type TaskRun } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import { uidHash } from '../../naming/names.js';
import { codeRunStrategy, docsRunStrategy, objectLabels, taskRunStrategy } from './strategy.js';

const config = loadDefaultConfig();
const code = {
  metadata: { name: 'pay-rex', uid: 'uid-of-pay-rex' },
  spec: { taskId: 7, service: 'payments', githubApp: '5DLabs-Rex', contextVersion: 2 },
} as CodeRun;
const docs = {
  metadata: { name: 'pay-docs', uid: 'uid-of-pay-docs' },
  spec: { githubApp: '5DLabs-Morgan' },
} as DocsRun;

t.test('each kind names its attempt objects and says which attempt its spec asks for', async (t) => {
  t.equal(specAttempt('CodeRun', code.spec), 2, 'CodeRun: contextVersion');
  const hash = uidHash('uid-of-pay-rex');
  t.equal(codeRunStrategy.jobName(code, 2), `payments-rex-task-7-v2-${hash}`);
  t.equal(codeRunStrategy.configMapName(code, 2), `payments-rex-task-7-v2-${hash}-files`);
  t.equal(codeRunStrategy.runDirectory(code, 2), '/workspace/payments/.task/7/run-2/');
  t.same(objectLabels('CodeRun', code, config), {
    'app.kubernetes.io/managed-by': 'orchestrator',
    'orchestrator.io/task-id': '7',
    'orchestrator.io/service': 'payments',
    'orchestrator.io/agent': 'rex',
    'orchestrator.io/github-app': '5DLabs-Rex',
    'orchestrator.io/run': 'pay-rex',
  });
  t.equal(specAttempt('DocsRun', docs.spec), 1, 'DocsRun: always 1');
  t.equal(docsRunStrategy.jobName(docs, 1), `docs-pay-docs-run-1-${uidHash('uid-of-pay-docs')}`);
  t.equal(objectLabels('DocsRun', docs, config)['orchestrator.io/agent'], 'morgan');
  const long = { ...docs, metadata: { name: 'x'.repeat(80) } } as DocsRun;
  t.ok(docsRunStrategy.configMapName(long, 1).length <= 63, 'bounded');
});

t.test("a run an Argo Workflow made names it on its objects, under our label, never Argo's", async (t) => {
  const made = {
    ...code,
    metadata: { ...code.metadata, labels: { 'workflows.argoproj.io/workflow': 'play-task-7-x2k' } },
  } as CodeRun;
  const labels = objectLabels('CodeRun', made, config);
  t.equal(labels['orchestrator.io/workflow-name'], 'play-task-7-x2k');
  // Argo's workflow-controller takes the pods carrying its own label for the workflow's.
  t.notOk(labels['workflows.argoproj.io/workflow']);
  t.notOk(objectLabels('CodeRun', code, config)['orchestrator.io/workflow-name'], 'none without a workflow');
});

t.test('each run object has names of its own: same fields, other uid or kind, other names', async (t) => {
  const twin = { ...code, metadata: { name: 'pay-rex', uid: 'uid-of-the-second-pay-rex' } } as CodeRun;
  t.not(codeRunStrategy.jobName(twin, 2), codeRunStrategy.jobName(code, 2), 'a re-created or second CodeRun');
  t.not(codeRunStrategy.configMapName(twin, 2), codeRunStrategy.configMapName(code, 2));
  t.equal(
    codeRunStrategy.jobName({ ...code } as CodeRun, 2),
    codeRunStrategy.jobName(code, 2),
    'deterministic',
  );
  const task = {
    metadata: { name: 'pay-rex', uid: 'uid-of-taskrun-pay-rex' },
    spec: { taskId: 7, serviceName: 'payments' },
  } as TaskRun;
  const names = [taskRunStrategy, codeRunStrategy, docsRunStrategy].map((s) =>
    s.jobName((s.kind === 'TaskRun' ? task : s.kind === 'CodeRun' ? code : docs) as never, 1),
  );
  t.equal(new Set(names).size, 3);
});

t.test('a finished run stays finished until its spec asks for a later attempt', async (t) => {
  const run = (phase: string, attempt: number, retryAttempt = 1) =>
    ({ spec: { retryAttempt }, status: { phase, attempt } }) as TaskRun;
  t.ok(runFinished('TaskRun', run('Succeeded', 1)));
  t.ok(runFinished('TaskRun', run('Failed', 3)), 'retries exhausted');
  t.notOk(runFinished('TaskRun', run('Running', 1)));
  t.notOk(runFinished('TaskRun', run('Failed', 3, 4)), 'retryAttempt raised past it');
  t.notOk(runFinished('TaskRun', { spec: { retryAttempt: 1 } }), 'no status yet');
});
