// docs/first-run.md's shape, without a cluster: the blocks the real-node test follows
// (test/integration/agent-e2e.test.ts) are each a named step, its values are named once at the top and
// used below, the steps it does not run are the guide's, and the README's first screen links the guide.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/util/index.js';
import {
  FIRST_RUN_GUIDE,
  guideSteps,
  guideValues,
  NOT_RUN,
  VALUES_STEP,
} from '../harness/agent/first-run-guide.js';

const steps = guideSteps(readFileSync(FIRST_RUN_GUIDE, 'utf8'));
const names = steps.map((s) => s.name);

t.test('every shell block is a step, each named once, the values first', async (t) => {
  t.equal(names[0], VALUES_STEP);
  t.same([...new Set(names)], names, 'no step name twice');
  t.throws(() => guideSteps('```sh\nkubectl get pods\n```\n'), /has no "# step: <name>" line/);
});

t.test('each value is named once, at the top, and used by a later step', async (t) => {
  const values = guideValues(steps);
  t.ok(values.length > 0);
  const later = steps.filter((s) => s.name !== VALUES_STEP);
  for (const value of values) {
    t.ok(
      later.some((s) => s.script.includes(`$${value}`)),
      `$${value} is used`,
    );
    t.notOk(
      later.some((s) => new RegExp(`^\\s*(export )?${value}=`, 'm').test(s.script)),
      `$${value} is set nowhere else`,
    );
  }
});

t.test(
  'the steps the test does not run are steps of the guide, and the run is not one of them',
  async (t) => {
    for (const step of Object.keys(NOT_RUN)) t.ok(names.includes(step), `${step} is a step of the guide`);
    for (const step of ['namespace', 'model-key', 'token', 'grant', 'run', 'wait', 'pull-request'])
      t.notOk(step in NOT_RUN, `${step} is run`);
  },
);

t.test("the README's first screen links the guide", async (t) => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const firstScreen = readme.split('\n').slice(0, 40).join('\n');
  t.match(firstScreen, '(docs/first-run.md)');
});
