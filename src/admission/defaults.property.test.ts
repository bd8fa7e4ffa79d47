import fc from 'fast-check';
import t from 'tap';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import { applyPatch } from '../../test/harness/util/apply-patch.js';
import { clusterAccount, type RunKindName } from '../api/index.js';
import { configFrom } from '../config/load.js';
import { isPlainObject } from '../util/json.js';
import { defaultsPatch } from './defaults.js';
import { escapePointer } from './patch.js';
import { validateRun } from './validate-run.js';

// The seed's Apps (config/samples/seed): the runs below draw their githubApp from them.
const base = seedConfig();
// The generated runs ask for any size, class and resources: the config allows all of them, so what
// is judged is the defaults, not the bounds (src/admission/rules/resources.ts, workspace.ts).
const config = configFrom({
  ...base,
  job: { ...base.job, maxResources: { cpu: '2Gi', memory: '2Gi' } },
  workspace: { ...base.workspace, maxSize: '20Gi', allowedStorageClasses: ['fast', 'standard'] },
});
// Only profiles with an App: a run of one without (the seed names none for deploy and acceptance) must
// name its GitHub user, which these runs do not (rule github-identity).
const agents = Object.keys(config.agents).filter((name) => config.agents[name]?.githubApp);
const apps = config.githubApps ?? [];

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const quantity = fc.constantFrom('100m', '1', '2Gi', '512Mi');
const url = fc.constantFrom(
  'https://github.com/acme/payments.git',
  'git@github.com:acme/payments.git',
  'ssh://git@github.com/acme/x',
  'acme/payments',
);
/** The shorthands defaulting makes explicit (a `replace`), and what it makes of them. */
const explicit: Record<string, string> = {
  'acme/payments': 'https://github.com/acme/payments',
  ...config.modelAliases,
};

/** Drops undefined members, as JSON would. */
const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A valid run of an agent with clusterAccess names no ServiceAccount but the agent's (rule cluster-access). */
function ownAccount<T extends { spec: Record<string, unknown> }>(kind: RunKindName, run: T): T {
  const account = clusterAccount(kind, run.spec, config);
  if (account && run.spec.serviceAccountName) run.spec.serviceAccountName = account;
  return run;
}

const metadata = fc.record(
  {
    name: label,
    namespace: fc.constant('default'),
    labels: fc.dictionary(
      fc.constantFrom(
        'team',
        'orchestrator.io/agent',
        'orchestrator.io/service',
        'app.kubernetes.io/managed-by',
      ),
      label,
      {
        maxKeys: 3,
      },
    ),
    finalizers: fc.uniqueArray(fc.constantFrom('example.com/keep', 'taskrun.orchestrator.io/cleanup'), {
      maxLength: 2,
    }),
  },
  { requiredKeys: ['name'] },
);

const workspace = fc.record(
  {
    pvcName: label,
    size: fc.constantFrom('1Gi', '20Gi'),
    storageClassName: fc.constantFrom('fast', 'standard'),
  },
  { requiredKeys: [] },
);
const resources = fc.record(
  {
    requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity),
    limits: fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity),
  },
  { requiredKeys: [] },
);
const common = {
  image: fc.constantFrom('registry.local/agent:v1'),
  serviceAccountName: label,
  workspace,
  resources,
  model: fc.constantFrom(...(config.models ?? ['m']), ...Object.keys(config.modelAliases)),
};

const taskRun = fc
  .record({
    metadata,
    spec: fc.record(
      {
        taskId: fc.integer({ min: 1, max: 1000 }),
        serviceName: label,
        markdownFiles: fc.uniqueArray(
          fc.record(
            {
              filename: fc.stringMatching(/^[a-z]{1,8}\.md$/),
              content: fc.string({ maxLength: 200 }),
              fileType: fc.constantFrom('task', 'context', 'architecture'),
            },
            { requiredKeys: ['filename', 'content'] },
          ),
          { minLength: 1, maxLength: 3, selector: (f) => f.filename },
        ),
        priority: fc.constantFrom('high', 'standard', 'low'),
        agent: fc.constantFrom(...agents),
        retryAttempt: fc.integer({ min: 1, max: 5 }),
        repository: fc.record({ url, branch: fc.constantFrom('main', 'develop') }, { requiredKeys: ['url'] }),
        dependsOn: fc.uniqueArray(fc.integer({ min: 1001, max: 2000 }), { maxLength: 3 }),
        ...common,
      },
      { requiredKeys: ['taskId', 'serviceName', 'markdownFiles'] },
    ),
  })
  .map((o) => ownAccount('TaskRun', clean({ apiVersion: 'orchestrator.io/v1', kind: 'TaskRun', ...o })));

const codeRun = fc
  .record({
    metadata,
    spec: fc.record(
      {
        taskId: fc.integer({ min: 1, max: 1000 }),
        service: label,
        repositoryUrl: url,
        docsRepositoryUrl: url,
        githubApp: fc.constantFrom(...apps),
        workingDirectory: fc.constantFrom('services/api', 'app'),
        contextVersion: fc.integer({ min: 1, max: 4 }),
        toolConfig: fc.constantFrom('minimal', 'default', 'advanced'),
        ...common,
      },
      { requiredKeys: ['taskId', 'service', 'repositoryUrl', 'docsRepositoryUrl', 'githubApp'] },
    ),
  })
  .map((o) => ownAccount('CodeRun', clean({ apiVersion: 'orchestrator.io/v1', kind: 'CodeRun', ...o })));

const docsRun = fc
  .record({
    metadata,
    spec: fc.record(
      {
        repositoryUrl: url,
        workingDirectory: fc.constantFrom('docs', 'projects/payments'),
        githubApp: fc.constantFrom(...apps),
        sourceBranch: fc.constantFrom('main', 'docs'),
        ...common,
      },
      { requiredKeys: ['repositoryUrl', 'workingDirectory', 'githubApp'] },
    ),
  })
  .map((o) => ownAccount('DocsRun', clean({ apiVersion: 'orchestrator.io/v1', kind: 'DocsRun', ...o })));

/** Every leaf of `value` as [JSON pointer, value]. */
function leaves(value: unknown, pointer = ''): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${pointer}/${i}`));
  if (isPlainObject(value))
    return Object.entries(value).flatMap(([k, v]) => leaves(v, `${pointer}/${escapePointer(k)}`));
  return [[pointer, value]];
}

function at(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    node = (node as Record<string, unknown>)?.[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node;
}

const arbitraries: Record<RunKindName, fc.Arbitrary<Record<string, unknown>>> = {
  TaskRun: taskRun,
  CodeRun: codeRun,
  DocsRun: docsRun,
};

for (const [kind, arbitrary] of Object.entries(arbitraries) as Array<
  [RunKindName, fc.Arbitrary<Record<string, unknown>>]
>) {
  t.test(
    `${kind}: defaulting is idempotent, touches no user field but a shorthand, and its result validates`,
    async (t) => {
      fc.assert(
        fc.property(arbitrary, (run) => {
          const patch = defaultsPatch(kind, run, config);
          const once = applyPatch(run, patch);
          const again = defaultsPatch(kind, once, config);
          if (again.length) throw new Error(`not idempotent: ${JSON.stringify(again)}`);
          const shorthand = (pointer: string, value: unknown) =>
            (pointer === '/spec/model' || /url$/i.test(pointer)) &&
            typeof value === 'string' &&
            Object.hasOwn(explicit, value);
          for (const [pointer, value] of leaves(run)) {
            const expected = shorthand(pointer, value) ? explicit[value as string] : value;
            if (at(once, pointer) !== expected) throw new Error(`user value at ${pointer} changed`);
          }
          for (const op of patch) {
            const before = at(run, op.path);
            if (op.op === 'replace' && shorthand(op.path, before)) continue;
            if (op.op !== 'add') throw new Error(`only add operations but for shorthands, got ${op.op}`);
            if (!op.path.endsWith('/-') && before !== undefined)
              throw new Error(`${op.path} was already set`);
          }
          const errors = validateRun({ kind, object: once, operation: 'CREATE', config }).filter(
            (f) => f.severity === 'error',
          );
          if (errors.length) throw new Error(`defaulted ${kind} is invalid: ${JSON.stringify(errors)}`);
        }),
        { numRuns: 300 },
      );
      t.pass('300 generated runs');
    },
  );
}

t.test('an object being deleted never gets the finalizer back', async (t) => {
  const run = fc.sample(taskRun, { numRuns: 1, seed: 1 })[0] as Record<string, unknown> & {
    metadata: Record<string, unknown>;
  };
  run.metadata = { ...run.metadata, finalizers: [], deletionTimestamp: '2026-01-01T00:00:00Z' };
  const ops = defaultsPatch('TaskRun', run, config);
  t.notOk(
    ops.some((op) => op.path.startsWith('/metadata/finalizers')),
    'no finalizer operation',
  );
});
