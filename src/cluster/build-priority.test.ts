import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import t, { type Test } from 'tap';
import { waitFor } from '../../test/harness/util/wait.js';
import { buildNiceness, prioritiseBuild, setBuildsUrgent } from './build-priority.js';

t.test('a build runs at the niceness ORCHESTRATOR_BUILD_NICENESS asks, when it is one', async (t) => {
  t.equal(buildNiceness({ ORCHESTRATOR_BUILD_NICENESS: '10' }), 10);
  t.equal(buildNiceness({ ORCHESTRATOR_BUILD_NICENESS: '19' }), 19);
  t.equal(buildNiceness({}), undefined, "unset: the caller's own");
  for (const bad of ['', '0', '-5', '20', '2.5', 'low'])
    t.equal(buildNiceness({ ORCHESTRATOR_BUILD_NICENESS: bad }), undefined, `${JSON.stringify(bad)} is none`);
});

/** A stand-in for a build: a shell that has started a child of its own; its pid and the child's. */
async function buildTree(t: Test): Promise<[number, number]> {
  const shell = spawn('sh', ['-c', 'sleep 600 & wait'], { stdio: 'ignore' });
  t.teardown(() => shell.kill('SIGKILL'));
  const pid = shell.pid as number;
  const child = await waitFor(
    `shell ${pid} to start its child`,
    () => Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() || 0) || undefined,
  );
  t.teardown(() => process.kill(child, 'SIGKILL'));
  return [pid, child];
}

t.test(
  'builds run niced, at the caller’s priority while tests wait on them, with what they started',
  async (t) => {
    const before = process.env.ORCHESTRATOR_BUILD_NICENESS;
    process.env.ORCHESTRATOR_BUILD_NICENESS = '10';
    t.teardown(() => {
      setBuildsUrgent(false);
      if (before === undefined) delete process.env.ORCHESTRATOR_BUILD_NICENESS;
      else process.env.ORCHESTRATOR_BUILD_NICENESS = before;
    });
    const own = getPriority();
    // Lowering a niceness needs root; without it an urgent build keeps the niceness it had.
    const raised = process.getuid?.() === 0 ? own : 10;

    const [first, itsChild] = await buildTree(t);
    const ended = prioritiseBuild(first);
    t.equal(getPriority(first), 10, 'a build starts niced');
    setBuildsUrgent(true);
    t.equal(getPriority(first), raised, 'tests wait on it: the caller’s priority');
    t.equal(getPriority(itsChild), raised, 'and so the processes it started');
    const [second] = await buildTree(t);
    const secondEnded = prioritiseBuild(second);
    t.equal(getPriority(second), raised, 'a build started while tests wait takes it at once');
    setBuildsUrgent(false);
    t.same([getPriority(first), getPriority(itsChild), getPriority(second)], [10, 10, 10], 'niced again');

    ended();
    setBuildsUrgent(true);
    t.equal(getPriority(first), 10, 'a build that ended is not followed');
    t.equal(getPriority(second), raised);
    secondEnded();
  },
);

t.test('without a niceness asked for, builds keep the caller’s priority', async (t) => {
  const before = process.env.ORCHESTRATOR_BUILD_NICENESS;
  delete process.env.ORCHESTRATOR_BUILD_NICENESS;
  t.teardown(() => {
    setBuildsUrgent(false);
    if (before !== undefined) process.env.ORCHESTRATOR_BUILD_NICENESS = before;
  });
  const [pid] = await buildTree(t);
  const ended = prioritiseBuild(pid);
  t.equal(getPriority(pid), getPriority());
  setBuildsUrgent(true);
  setBuildsUrgent(false);
  t.equal(getPriority(pid), getPriority(), 'urgent or not');
  ended();
});
