// A run's controls are its submitter's: which changes by whom need which verb on the run.
import t from 'tap';
import { ARGO_WORKFLOW_LABEL, kindFacts } from '../api/index.js';
import {
  CONTROL_RULE,
  controlChanges,
  controlFinding,
  controlsOf,
  GARBAGE_COLLECTORS,
} from './run-controls.js';

const CLEANUP = kindFacts('CodeRun').finalizer;
type Run = { metadata: Record<string, unknown>; spec: Record<string, unknown> };
const stored: Run = {
  metadata: {
    name: 'fix',
    labels: { team: 'a' },
    finalizers: [CLEANUP],
    annotations: { 'orchestrator.io/submitted-by': 'alice' },
  },
  spec: { taskId: 3, contextVersion: 1 },
};
const alice = { username: 'alice', submitter: 'alice' };
const bob = { username: 'bob', submitter: 'alice' };
const collector = { username: [...GARBAGE_COLLECTORS][0] as string, submitter: 'alice' };

const edited = (edit: (run: Run) => void): Run => {
  const run = structuredClone(stored) as Run;
  edit(run);
  return run;
};
const paths = (run: Run, who: typeof bob) =>
  controlChanges('CodeRun', run, stored, who).map((c) => c.control.path);

const EDITS: [string, (run: Run) => void, string, string][] = [
  [
    'a new attempt',
    (r) => {
      r.spec.contextVersion = 2;
    },
    'spec.contextVersion',
    'retry',
  ],
  [
    'a cancel',
    (r) => {
      r.spec.cancelled = true;
    },
    'spec.cancelled',
    'cancel',
  ],
  [
    'a play label',
    (r) => {
      r.metadata.labels = { team: 'a', [ARGO_WORKFLOW_LABEL]: 'bobs-play' };
    },
    `metadata.labels["${ARGO_WORKFLOW_LABEL}"]`,
    'adopt',
  ],
  [
    'an owner',
    (r) => {
      r.metadata.ownerReferences = [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: 'p', uid: 'u' },
      ];
    },
    'metadata.ownerReferences',
    'adopt',
  ],
  [
    'a finalizer',
    (r) => {
      r.metadata.finalizers = [CLEANUP, 'bob.example/hold'];
    },
    'metadata.finalizers',
    'finalize',
  ],
];

t.test('another identity changes a control: each is named, with the verb that would allow it', async (t) => {
  for (const [what, edit, path, verb] of EDITS) {
    const changes = controlChanges('CodeRun', edited(edit), stored, bob);
    t.same(
      changes.map((c) => [c.control.path, c.control.verb]),
      [[path, verb]],
      what,
    );
    t.same(paths(edited(edit), alice), [], `${what}: the submitter may`);
  }
});

t.test('labels the operator does not read and the submitted-by annotation are not controls', async (t) => {
  t.same(
    paths(
      edited((r) => {
        r.metadata.labels = { team: 'b' };
      }),
      bob,
    ),
    [],
  );
});

t.test('the garbage collector may change owners and finalizers, not the counters', async (t) => {
  t.same(
    paths(
      edited((r) => {
        r.metadata.finalizers = [CLEANUP, 'orphan'];
      }),
      collector,
    ),
    [],
  );
  t.same(
    paths(
      edited((r) => {
        r.metadata.ownerReferences = [];
      }),
      collector,
    ),
    [],
  );
  t.same(
    paths(
      edited((r) => {
        r.spec.contextVersion = 2;
      }),
      collector,
    ),
    ['spec.contextVersion'],
  );
});

t.test("the cleanup finalizer is the manager's: not even the submitter removes it", async (t) => {
  const removed = edited((r) => {
    r.metadata.finalizers = [];
  });
  for (const who of [alice, bob, collector])
    t.same(paths(removed, who), [`metadata.finalizers["${CLEANUP}"]`], who.username);
  const lacking = edited((r) => {
    r.metadata.finalizers = [];
  });
  t.same(paths(stored, { username: 'bob', submitter: 'alice' }), [], 'unchanged');
  t.same(
    controlChanges('CodeRun', stored, lacking, bob),
    [],
    'adding it (the mutating webhook does) is no change to judge',
  );
  const [change] = controlChanges('CodeRun', removed, stored, alice);
  t.match(controlFinding(change as NonNullable<typeof change>, alice, 'coderuns "fix"'), {
    rule: CONTROL_RULE,
    message:
      /^Forbidden: only the operator's manager, or whoever holds `finalize` on coderuns "fix", may change this after creation \(was true, now false; .*"alice" may not: delete the run instead/,
  });
});

t.test('the finding names the field, the submitter, the verb and what to do', async (t) => {
  const [change] = controlChanges('CodeRun', edited(EDITS[0]?.[1] as (r: Run) => void), stored, bob);
  t.equal(
    controlFinding(change as NonNullable<typeof change>, bob, 'coderuns.orchestrator.io "fix"').message,
    'Forbidden: only the run\'s submitter "alice", or whoever holds `retry` on coderuns.orchestrator.io "fix", may change this after creation (was 1, now 2; it is raised, starts a new session context); "bob" may not: ask for `retry` on it (the shipped admin roles have it)',
  );
  const nobodys = { username: 'bob', submitter: undefined };
  const orphan = controlChanges('CodeRun', edited(EDITS[0]?.[1] as (r: Run) => void), stored, nobodys);
  t.match(
    controlFinding(orphan[0] as NonNullable<(typeof orphan)[0]>, nobodys, 'x').message,
    /only the operator \(the run has no recorded submitter\)/,
  );
});

t.test('every kind has the metadata controls; the counters only where the kind has one', async (t) => {
  t.same(
    controlsOf('DocsRun')
      .map((c) => c.path)
      .filter((p) => p.startsWith('spec.')),
    ['spec.cancelled'],
  );
  t.ok(controlsOf('TaskRun').some((c) => c.path === 'spec.retryAttempt' && c.verb === 'retry'));
});
