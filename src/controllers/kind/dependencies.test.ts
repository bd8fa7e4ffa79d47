import t from 'tap';
import type { TaskRun } from '../../api/index.js';
import {
  DependentRuns,
  dependencyCondition,
  dependencyVerdict,
  mapToDependents,
  phaseChanged,
} from './dependencies.js';

const run = (name: string, taskId: number, phase?: string, dependsOn?: number[], serviceName = 'pay') =>
  ({
    metadata: { name, namespace: 'ns' },
    spec: { taskId, serviceName, dependsOn },
    status: phase ? { phase } : undefined,
  }) as unknown as TaskRun;

t.test(
  'ready when every task has a Succeeded run of the same service; failed when all its runs failed',
  async (t) => {
    const me = run('me', 9, undefined, [1, 2, 3]);
    t.same(dependencyVerdict(run('x', 9), []), { state: 'Ready' }, 'no dependencies');
    const all = [run('a', 1, 'Succeeded'), run('b', 2, 'Running'), run('c', 3, 'Succeeded', [], 'other')];
    t.same(dependencyVerdict(me, all), { state: 'Waiting', tasks: [2, 3] }, 'running, or of another service');
    t.same(
      dependencyVerdict(me, [...all, run('d', 2, 'Failed'), run('e', 3, 'Failed')]),
      { state: 'Failed', tasks: [3] },
      'one failed task is enough (task 2 may still succeed)',
    );
    t.same(dependencyVerdict(me, [run('a', 1, 'Succeeded'), run('f', 2, 'Failed'), run('g', 3, 'Failed')]), {
      state: 'Failed',
      tasks: [2, 3],
    });
    t.equal(
      dependencyCondition({ state: 'Waiting', tasks: [2, 3] }).message,
      'waiting for tasks 2, 3 to succeed',
    );
    t.equal(dependencyCondition({ state: 'Failed', tasks: [3] }).reason, 'DependencyFailed');
  },
);

t.test('a finished task wakes the runs of its service that depend on it', async (t) => {
  const all = [
    run('w1', 5, undefined, [1]),
    run('w2', 6, undefined, [1, 2]),
    run('o', 7, undefined, [1], 'other'),
  ];
  const map = mapToDependents(() => all as never);
  t.same(map(run('t1', 1, 'Succeeded') as never), [
    { namespace: 'ns', name: 'w1' },
    { namespace: 'ns', name: 'w2' },
  ]);
  t.same(map(run('t3', 3, 'Succeeded') as never), []);
  t.ok(phaseChanged({ status: { phase: 'Running' } }, { status: { phase: 'Succeeded' } }));
  t.notOk(phaseChanged({ status: { phase: 'Running' } }, { status: { phase: 'Running', message: 'x' } }));
});

t.test('the index of runs with dependencies follows adds, updates and deletes', async (t) => {
  const index = new DependentRuns();
  const map = mapToDependents((changed) => index.of(changed));
  index.onAdd(run('w1', 5, undefined, [1]));
  index.onAdd(run('plain', 6));
  index.onAdd(run('o', 7, undefined, [1], 'other'));
  t.same(
    index.of(run('t1', 1)).map((r) => r.metadata?.name),
    ['w1'],
    'its service, with dependencies',
  );
  index.onUpdate(run('w1', 5, undefined, [1]), run('w1', 5, undefined, [2]));
  index.onUpdate(run('plain', 6), run('plain', 6, undefined, [1]));
  t.same(map(run('t1', 1, 'Succeeded') as never), [{ namespace: 'ns', name: 'plain' }], 'updates replace');
  index.onDelete(run('plain', 6, undefined, [1]));
  index.onDelete(run('w1', 5, undefined, [2]));
  t.same(index.of(run('t1', 1)), [], 'deletes forget');
});
