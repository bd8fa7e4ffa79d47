import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { sampleSum } from '../../../test/harness/util/prometheus-text.js';
import type { Run, RunStatus } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import type { EventSource } from '../../runtime/index.js';
import { agentLabel, registerRunMetrics, runRecorder } from './run-metrics.js';
import { countedTaskRunReconciler } from './taskrun-metrics.js';

const cache = (phases: Array<string | undefined>): EventSource<Run> => ({
  list: () => phases.map((phase) => ({ status: phase ? { phase } : undefined }) as Run),
  addHandler: () => () => {},
});

t.test('orchestrator_runs counts the cached runs of each kind by phase, at scrape time', async (t) => {
  const registry = new Registry();
  const phases: Array<string | undefined> = ['Running', 'Running', undefined, 'Succeeded'];
  registerRunMetrics(registry, [
    { kind: 'TaskRun', runs: cache(phases) },
    { kind: 'CodeRun', runs: cache([]) },
  ]);
  let text = await registry.metrics();
  t.match(text, 'orchestrator_runs{kind="TaskRun",phase="Running"} 2');
  t.match(text, 'orchestrator_runs{kind="TaskRun",phase="Pending"} 1', 'no status yet counts as Pending');
  t.match(text, 'orchestrator_runs{kind="TaskRun",phase="Failed"} 0', 'every phase is present');
  t.match(text, 'orchestrator_runs{kind="CodeRun",phase="Running"} 0');
  phases[0] = 'Failed';
  text = await registry.metrics();
  t.match(text, 'orchestrator_runs{kind="TaskRun",phase="Running"} 1', 'the next scrape sees the change');
  t.match(text, 'orchestrator_runs{kind="TaskRun",phase="Failed"} 1');
  registerRunMetrics(registry, [{ kind: 'TaskRun', runs: cache(['Succeeded']) }]);
  t.match(
    await registry.metrics(),
    'orchestrator_runs{kind="TaskRun",phase="Succeeded"} 1',
    'a restart re-registers',
  );
});

const config = loadDefaultConfig();
const codeRun = (githubApp: string) => ({
  metadata: { creationTimestamp: '2026-11-22T09:00:00Z' },
  spec: { githubApp },
});
const at = (time: string) => new Date(`2026-11-22T${time}Z`);

t.test(
  'a run followed through its status writes: time to running, finish, duration, pull request',
  async (t) => {
    const registry = new Registry();
    const recorder = runRecorder(registry, 'CodeRun', config);
    const value = async (name: string, labels: Record<string, string>) =>
      sampleSum(await registry.metrics(), name, labels);
    const rex = { kind: 'CodeRun', agent: 'rex' };
    t.equal(await value('orchestrator_runs_finished_total', { ...rex, outcome: 'Succeeded' }), 0, 'from 0');
    t.equal(await value('orchestrator_runs_finished_total', { agent: 'other', outcome: 'Failed' }), 0);
    t.equal(await value('orchestrator_pull_requests_opened_total', rex), 0);
    // A series born holding its first run would hide that run from rate() and increase().
    t.equal(await value('orchestrator_run_time_to_running_seconds_count', rex), 0, 'histograms from 0 too');
    t.equal(await value('orchestrator_run_duration_seconds_count', { ...rex, outcome: 'Failed' }), 0);

    const run = codeRun('5DLabs-Rex');
    const pending: RunStatus = { phase: 'Pending', attempt: 1 };
    const running: RunStatus = { phase: 'Running', attempt: 1 };
    recorder.statusWritten(run, undefined, pending, config, at('09:00:01'));
    recorder.statusWritten(run, pending, running, config, at('09:00:30'));
    recorder.statusWritten(run, running, running, config, at('09:00:40'));
    t.equal(await value('orchestrator_run_time_to_running_seconds_count', rex), 1, 'once, as it started');
    t.equal(await value('orchestrator_run_time_to_running_seconds_sum', rex), 30, 'from its creation');

    const done: RunStatus = {
      phase: 'Succeeded',
      attempt: 1,
      completionTime: '2026-11-22T09:10:00Z',
      pullRequestUrl: 'https://github.com/acme/payments/pull/1',
    };
    recorder.statusWritten(run, running, done, config, at('09:10:05'));
    recorder.statusWritten(run, done, { ...done, observedGeneration: 2 }, config, at('09:11:00'));
    t.equal(await value('orchestrator_runs_finished_total', { ...rex, outcome: 'Succeeded' }), 1, 'once');
    t.equal(await value('orchestrator_run_duration_seconds_count', { ...rex, outcome: 'Succeeded' }), 1);
    t.equal(
      await value('orchestrator_run_duration_seconds_sum', rex),
      600,
      'creation to completionTime, not to the write',
    );
    t.equal(await value('orchestrator_pull_requests_opened_total', rex), 1, 'a new pull request URL, once');
    t.notMatch(await registry.metrics(), /payments|acme/, 'no run or repository in a label');
  },
);

t.test('retries are counted as status.retryCount rises, not when a raised attempt resets it', async (t) => {
  const registry = new Registry();
  const recorder = runRecorder(registry, 'CodeRun', config);
  const retries = async () =>
    sampleSum(await registry.metrics(), 'orchestrator_run_retries_total', { kind: 'CodeRun', agent: 'rex' });
  t.equal(await retries(), 0, 'from 0');
  const run = codeRun('5DLabs-Rex');
  const first: RunStatus = { phase: 'Running', attempt: 1, retryCount: 0 };
  const waiting: RunStatus = { phase: 'Pending', attempt: 1, retryCount: 0 };
  const second: RunStatus = { phase: 'Running', attempt: 2, retryCount: 1 };
  recorder.statusWritten(run, first, waiting, config, at('09:01:00'));
  recorder.statusWritten(run, waiting, second, config, at('09:02:00'));
  recorder.statusWritten(run, second, { ...second, podName: 'p' }, config, at('09:02:10'));
  t.equal(await retries(), 1, 'attempt 2, once');
  recorder.statusWritten(
    run,
    second,
    { phase: 'Running', attempt: 5, retryCount: 0 },
    config,
    at('09:03:00'),
  );
  t.equal(await retries(), 1, 'a raised spec attempt is not a retry');
});

t.test('labels stay bounded: an agent the config has no profile for is `other`', async (t) => {
  const registry = new Registry();
  const recorder = runRecorder(registry, 'CodeRun', config);
  const run = codeRun('5DLabs-Someone-Else');
  recorder.statusWritten(
    run,
    { phase: 'Running', attempt: 1 },
    { phase: 'Failed', attempt: 1 },
    config,
    at('09:05:00'),
  );
  const text = await registry.metrics();
  t.equal(sampleSum(text, 'orchestrator_runs_finished_total', { agent: 'other', outcome: 'Failed' }), 1);
  t.equal(
    sampleSum(text, 'orchestrator_run_duration_seconds_sum', { agent: 'other' }),
    300,
    'without a completionTime, to the write',
  );
  t.equal(agentLabel('TaskRun', { agent: 'cleo' }, config), 'cleo');
  t.equal(agentLabel('TaskRun', {}, config), config.defaultAgent, 'the default agent');
});

t.test(
  'a retry that starts is no time to running: that is measured from creation, first attempt only',
  async (t) => {
    const registry = new Registry();
    const recorder = runRecorder(registry, 'CodeRun', config);
    recorder.statusWritten(
      codeRun('5DLabs-Rex'),
      { phase: 'Pending', attempt: 2 },
      { phase: 'Running', attempt: 2 },
      config,
      at('10:00:00'),
    );
    t.equal(sampleSum(await registry.metrics(), 'orchestrator_run_time_to_running_seconds_count'), 0);
  },
);

t.test(
  "the TaskRun design's counters: TaskRun reconciles, and the Jobs and ConfigMaps it created",
  async (t) => {
    const registry = new Registry();
    const value = async (name: string) => sampleSum(await registry.metrics(), name);
    const taskRuns = runRecorder(registry, 'TaskRun', config);
    const codeRuns = runRecorder(registry, 'CodeRun', config);
    t.equal(await value('taskrun_jobs_created_total'), 0, 'from 0');
    taskRuns.created('Job');
    taskRuns.created('ConfigMap');
    codeRuns.created('Job');
    t.equal(await value('taskrun_jobs_created_total'), 1, "a CodeRun's Job is not a TaskRun's");
    t.equal(await value('taskrun_configmaps_created_total'), 1);

    let calls = 0;
    const counted = countedTaskRunReconciler(
      {
        async reconcile() {
          if (++calls === 2) throw new Error('apiserver unavailable');
        },
      },
      registry,
    );
    const context = { signal: new AbortController().signal, logger: pino({ level: 'silent' }), retries: 0 };
    await counted.reconcile({ namespace: 'ns', name: 'a' }, context);
    await t.rejects(counted.reconcile({ namespace: 'ns', name: 'a' }, context));
    t.equal(await value('taskrun_reconciliations_total'), 2, 'failed ones too');
    t.equal(await value('taskrun_reconciliation_duration_seconds_count'), 2);
  },
);
