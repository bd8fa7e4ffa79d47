import { Registry } from 'prom-client';
import t from 'tap';
import type { Run } from '../api/index.js';
import type { EventSource } from '../runtime/index.js';
import { registerRunMetrics } from './run-metrics.js';

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
