// decide() and the GitHub tokens of attempts that no longer run (test/harness/fakes/decide-world.ts).
import t from 'tap';
import { asItRuns, exited, facts, input, job, kinds, run } from '../../../test/harness/fakes/decide-world.js';
import type { KubeObject } from '../../runtime/index.js';
import { decide } from './decide.js';
import type { AttemptState, RunWorld } from './world.js';

t.test('tokens of attempts that no longer run are revoked, also once the run has finished', async (t) => {
  const old: KubeObject = { metadata: { name: 'job-0-github-token', namespace: 'ns' } };
  const world = (state: AttemptState): RunWorld<'TaskRun'> => ({
    is: 'attempt',
    run: run(),
    defaulted: asItRuns(run()),
    owed: { causes: [], revoke: [old] },
    state,
  });
  const finished: AttemptState = {
    ...facts,
    state: 'finished',
    job,
    agent: exited,
    ending: { outcome: 'succeeded' },
  };
  t.same(kinds(decide(world(finished), input)), ['revokeToken', 'writeStatus']);
  const revoked = decide(world(finished), input).actions[0];
  t.same(revoked, { do: 'revokeToken', secret: old });
  const done = run({ phase: 'Succeeded', observedGeneration: 1 });
  t.same(kinds(decide({ is: 'finished', run: done, revoke: [old] }, input)), ['revokeToken']);
});
