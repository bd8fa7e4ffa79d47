import t from 'tap';
import type { KubeObject, ResourceEventHandler } from '../runtime/index.js';
import { agentChanged, filtered, jobFinished, leftSlot, never, runChanged } from './event-filters.js';

const obj = (metadata: KubeObject['metadata'], status?: unknown): KubeObject => ({ metadata, status });

t.test('a run update counts when its spec, deletion or finalizers change, not its status', async (t) => {
  const base = obj({ name: 'a', generation: 1, finalizers: ['f'] }, { phase: 'Pending' });
  t.notOk(runChanged(base, obj({ name: 'a', generation: 1, finalizers: ['f'] }, { phase: 'Running' })));
  t.ok(runChanged(base, obj({ name: 'a', generation: 2, finalizers: ['f'] })));
  t.ok(runChanged(base, obj({ name: 'a', generation: 1, finalizers: [] })));
  t.ok(runChanged(base, obj({ name: 'a', generation: 1, finalizers: ['f'], deletionTimestamp: 'now' })));
});

t.test('filtered passes on only what its predicates accept', async (t) => {
  const seen: string[] = [];
  let registered: ResourceEventHandler = {};
  const source = {
    list: () => [],
    addHandler: (h: ResourceEventHandler) => {
      registered = h;
      return () => {};
    },
  };
  filtered(source, { add: never, update: (o, n) => o.status !== n.status }).addHandler({
    onAdd: () => seen.push('add'),
    onUpdate: () => seen.push('update'),
    onDelete: () => seen.push('delete'),
  });
  const a = obj({}, 1);
  registered.onAdd?.(a);
  registered.onUpdate?.(a, obj({}, 1));
  registered.onUpdate?.(a, obj({}, 2));
  registered.onDelete?.(a);
  t.same(seen, ['update', 'delete']);
});

t.test('a Job update counts for waiting runs when the Job finishes', async (t) => {
  const done = (type: string) => obj({}, { conditions: [{ type, status: 'True' }] });
  t.ok(jobFinished(obj({}, {}), done('Complete')));
  t.ok(jobFinished(obj({}, {}), done('Failed')));
  t.notOk(jobFinished(obj({}, {}), obj({}, { active: 1 })), 'started, still active');
  t.notOk(jobFinished(done('Complete'), done('Complete')));
});

t.test('leftSlot: only a started run that finishes or goes back to waiting frees a slot', async (t) => {
  const run = (phase?: string, attempt?: number) => ({
    metadata: {},
    status: phase ? { phase, ...(attempt ? { attempt } : {}) } : undefined,
  });
  t.ok(leftSlot(run('Running', 1), run('Succeeded', 1)));
  t.ok(leftSlot(run('Running', 1), run('Failed', 1)));
  t.ok(leftSlot(run('Pending', 1), run('Failed', 1)), 'a pod that never started, failed');
  t.ok(leftSlot(run('Running', 1), run('Pending')), 'back to waiting (no attempt)');
  t.notOk(leftSlot(run(), run('Pending')), "a new run's first status");
  t.notOk(leftSlot(run('Pending'), run('Pending', 1)), 'it takes a slot');
  t.notOk(leftSlot(run('Pending', 1), run('Running', 1)), 'its agent starts: it keeps the slot');
  t.notOk(leftSlot(run('Running', 1), run('Pending', 1)), 'a retry waits: it keeps the slot');
});

t.test('agentChanged: only a change of what the agent is doing wakes its run', async (t) => {
  const pod = (agent: object, podIP?: string) => ({
    metadata: { name: 'p' },
    status: {
      phase: 'Pending',
      ...(podIP ? { podIP } : {}),
      containerStatuses: [{ name: 'agent', state: agent }],
    },
  });
  const creating = { waiting: { reason: 'ContainerCreating' } };
  t.notOk(agentChanged(pod(creating), pod(creating, '10.0.0.7')), 'an IP address is no news');
  t.ok(agentChanged(pod(creating), pod({ running: {} })), 'the agent started');
  t.ok(
    agentChanged(pod(creating), pod({ waiting: { reason: 'CreateContainerConfigError' } })),
    'it is stuck',
  );
  t.notOk(
    agentChanged(pod({ running: {} }), pod({ terminated: { exitCode: 0 } })),
    'it exited: the Job’s finish brings the reconcile',
  );
});
