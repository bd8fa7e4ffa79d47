import t from 'tap';
import type { CodeRun, DocsRun, Run } from '../api/index.js';
import { codeRunKind, docsRunKind, type RunKind, taskRunKind } from './run-kind.js';
import { finished } from './run-reconciler.js';

const code = {
  metadata: { name: 'pay-rex' },
  spec: { taskId: 7, service: 'payments', githubApp: '5DLabs-Rex', contextVersion: 2 },
} as CodeRun;
const docs = { metadata: { name: 'pay-docs' }, spec: { githubApp: '5DLabs-Morgan' } } as DocsRun;

t.test('each kind names its attempt objects and says which attempt its spec asks for', async (t) => {
  t.equal(codeRunKind.specAttempt(code), 2, 'CodeRun: contextVersion');
  t.equal(codeRunKind.jobName(code, 2), 'payments-rex-task-7-v2');
  t.equal(codeRunKind.configMapName(code, 2), 'payments-rex-task-7-v2-files');
  t.equal(codeRunKind.runDirectory(code, 2), '/workspace/payments/.task/7/run-2/');
  t.same(codeRunKind.labels(code, {} as never), {
    'app.kubernetes.io/managed-by': 'orchestrator',
    'orchestrator.io/task-id': '7',
    'orchestrator.io/service': 'payments',
    'orchestrator.io/agent': 'rex',
    'orchestrator.io/run': 'pay-rex',
  });
  t.equal(docsRunKind.specAttempt(docs), 1, 'DocsRun: always 1');
  t.equal(docsRunKind.jobName(docs, 1), 'docs-pay-docs-run-1');
  t.equal(docsRunKind.labels(docs, {} as never)['orchestrator.io/agent'], 'morgan');
  const long = { ...docs, metadata: { name: 'x'.repeat(80) } } as DocsRun;
  t.ok(docsRunKind.configMapName(long, 1).length <= 63, 'bounded');
});

t.test('a finished run stays finished until its spec asks for a later attempt', async (t) => {
  const run = (phase: string, attempt: number, retryAttempt = 1) =>
    ({ spec: { retryAttempt }, status: { phase, attempt } }) as unknown as Run;
  const kind = taskRunKind as RunKind;
  t.ok(finished(run('Succeeded', 1), kind));
  t.ok(finished(run('Failed', 3), kind), 'retries exhausted');
  t.notOk(finished(run('Running', 1), kind));
  t.notOk(finished(run('Failed', 3, 4), kind), 'retryAttempt raised past it');
});
