// What steers a run is its submitter's: the table holds that no field but the attempt counters is
// changeable by another identity, and the findings name the field and the submitter.
import t from 'tap';
import { attemptField, RUN_KIND_NAMES, type RunKindName } from '../../api/index.js';
import { isPlainObject } from '../../util/json.js';
import { isMutable, othersMayChange } from './classes.js';
import { kindsOf } from './coverage.js';
import { STEERING_RULE, steeringChanges } from './steering.js';
import { FIELD_CLASSES } from './table.js';

const alice = { requester: 'alice', submitter: 'alice' };
const bob = { requester: 'bob', submitter: 'alice' };

/** A copy of `object` with `value` at a row's path, a `[]` step making a one-item list. */
function withValue(object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(object);
  const steps = path.split('.').flatMap((s) => (s.endsWith('[]') ? [s.slice(0, -2), '[]'] : [s]));
  let node: Record<string, unknown> | unknown[] = copy;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    if (step === '[]') {
      const list = node as unknown[];
      if (!isPlainObject(list[0])) list[0] = {};
      node = list[0] as Record<string, unknown>;
      return;
    }
    const obj = node as Record<string, unknown>;
    if (last) obj[step] = value;
    else {
      if (steps[i + 1] === '[]' && !Array.isArray(obj[step])) obj[step] = [];
      else if (steps[i + 1] !== '[]' && !isPlainObject(obj[step])) obj[step] = {};
      node = obj[step] as Record<string, unknown>;
    }
  });
  return copy;
}

const run = { metadata: { name: 'r' }, spec: { taskId: 1, contextVersion: 1, retryAttempt: 1 } };

t.test(
  'no steering field is mutable by another identity; only the attempt counters and the cancel are',
  async (t) => {
    const steering = FIELD_CLASSES.filter((r) => r.class === 'steering');
    t.ok(steering.length > 10, 'the agent-steering fields have a class of their own');
    for (const row of FIELD_CLASSES) {
      if (row.class === 'steering') t.ok(isMutable(row), `${row.path}: its submitter may change it`);
      t.equal(
        othersMayChange(row),
        row.class === 'inert',
        `${row.path}: others may change only an inert field`,
      );
    }
    const inert = FIELD_CLASSES.filter((r) => r.class === 'inert').map((r) => r.path);
    const counters = RUN_KIND_NAMES.flatMap((k) => (attemptField(k) ? [`spec.${attemptField(k)}`] : []));
    t.same(
      inert.sort(),
      [...counters, 'spec.cancelled'].sort(),
      'the inert fields are exactly the attempt counters and the cancel',
    );
    for (const row of FIELD_CLASSES.filter(isMutable))
      for (const kind of kindsOf(row) as RunKindName[]) {
        const before = withValue(run, row.path, 'set-by-alice');
        const changed = withValue(run, row.path, 'changed-by-bob');
        const byBob = steeringChanges(kind, changed, before, bob);
        if (othersMayChange(row)) {
          t.same(byBob, [], `${kind} ${row.path}: not steering: run-controls.ts judges it`);
          continue;
        }
        t.match(
          byBob,
          [{ rule: STEERING_RULE, path: row.path, message: /only the run's submitter "alice" may change/ }],
          `${kind} ${row.path}: refused to another identity`,
        );
        t.same(steeringChanges(kind, changed, before, alice), [], `${kind} ${row.path}: its submitter may`);
      }
  },
);

t.test(
  "Bob rewrites Alice's prompt, tools and Secret key: refused, naming each field and Alice",
  async (t) => {
    const alices = {
      metadata: { name: 'fix' },
      spec: {
        contextVersion: 1,
        model: 'claude-sonnet-4',
        remoteTools: ['github_get_issue'],
        envFromSecrets: [{ name: 'DB', secretName: 'db', secretKey: 'readonly' }],
        remediation: { trigger: 'comment', feedback: 'fix the test' },
      },
    };
    const bobs = structuredClone(alices);
    bobs.spec.contextVersion = 2;
    bobs.spec.remoteTools = ['kubernetes_createResource'];
    bobs.spec.envFromSecrets[0] = { name: 'DB', secretName: 'db', secretKey: 'admin' };
    bobs.spec.remediation.feedback = 'push to main';
    const findings = steeringChanges('CodeRun', bobs, alices, bob);
    t.same(
      findings.map((f) => f.path),
      ['spec.remediation', 'spec.remoteTools', 'spec.envFromSecrets[].secretKey'],
    );
    t.match(
      findings[2]?.message,
      /^Forbidden: only the run's submitter "alice" may change this field after creation \(was \["readonly"\], now \["admin"\]; it steers the agent: the key read from that Secret\); "bob" may only raise spec\.contextVersion \(holding `retry` on the run\) or set spec\.cancelled \(holding `cancel` on the run\), or create a run of their own$/,
    );
    const raised = structuredClone(alices);
    raised.spec.contextVersion = 2;
    t.same(
      steeringChanges('CodeRun', raised, alices, bob),
      [],
      'a counter is a control, not steering (run-controls.ts)',
    );
    t.same(steeringChanges('CodeRun', bobs, alices, alice), [], 'Alice may change her own run');
    t.match(
      steeringChanges('CodeRun', bobs, alices, { requester: 'bob', submitter: undefined }),
      [{ message: /only the operator \(the run has no recorded submitter\) may change/ }],
      'a run with no recorded submitter is steered by no one but the operator',
    );
  },
);

t.test('a spec field no row names is refused to another identity too', async (t) => {
  const grown = withValue(run, 'spec.unclassified', true);
  t.match(steeringChanges('TaskRun', grown, run, bob), [{ path: 'spec', rule: STEERING_RULE }]);
  t.same(steeringChanges('TaskRun', withValue(run, 'spec.retryAttempt', 2), run, bob), []);
});
