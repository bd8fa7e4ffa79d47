// defaulted() fills every `default:` of the kind's schema, and its return type says so.
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { defaulted } from './defaulting.js';
import { SCHEMA_DEFAULTED_FIELDS } from './generated/defaulted.js';
import { RUN_KIND_NAMES } from './kinds.js';
import { loadSchema } from './schemas.js';
import type { CodeRun, DocsRun, TaskRun } from './types.js';

const config = loadDefaultConfig();

const taskRun: TaskRun = {
  metadata: { name: 'tr', namespace: 'ns' },
  spec: {
    taskId: 1,
    serviceName: 'pay',
    markdownFiles: [{ filename: 'task.md' }],
    repository: { url: 'https://github.com/acme/pay' },
  },
};
const codeRun: CodeRun = {
  metadata: { name: 'cr', namespace: 'ns' },
  spec: {
    taskId: 1,
    service: 'pay',
    repositoryUrl: 'https://github.com/acme/pay',
    docsRepositoryUrl: 'https://github.com/acme/docs',
    githubApp: '5DLabs-Rex',
  },
};
const docsRun: DocsRun = {
  metadata: { name: 'dr', namespace: 'ns' },
  spec: {
    repositoryUrl: 'https://github.com/acme/docs',
    workingDirectory: 'docs',
    githubApp: '5DLabs-Morgan',
  },
};

/** The value at a dotted path (no list paths: the run schemas have no default inside a list). */
const at = (value: unknown, path: string) =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

/** Every `default:` of a schema under spec, by dotted path, read straight from the YAML. */
function schemaDefaults(node: Record<string, unknown>, prefix: string): [string, unknown][] {
  const own: [string, unknown][] = node.default === undefined ? [] : [[prefix, node.default]];
  const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  return [...own, ...Object.entries(props).flatMap(([k, sub]) => schemaDefaults(sub, `${prefix}.${k}`))];
}

t.test('every default of each schema is applied, and only to absent fields', async (t) => {
  const runs = { TaskRun: taskRun, CodeRun: codeRun, DocsRun: docsRun };
  for (const kind of RUN_KIND_NAMES) {
    const spec = loadSchema(kind).properties?.spec as Record<string, unknown>;
    const expected = schemaDefaults(spec, 'spec');
    t.same(
      expected.map(([p]) => p),
      SCHEMA_DEFAULTED_FIELDS[kind],
      `${kind}: the generated list of defaulted fields is the schema's`,
    );
    const out = defaulted(kind, runs[kind], config);
    for (const [path, value] of expected) t.same(at(out, path), value, `${kind} ${path}`);
    t.equal(defaulted(kind, out, config), out, `${kind}: idempotent (nothing left to fill)`);
  }
});

t.test('values the user set are kept', async (t) => {
  const out = defaulted(
    'TaskRun',
    {
      ...taskRun,
      spec: {
        ...taskRun.spec,
        priority: 'high',
        retryAttempt: 3,
        repository: { url: 'https://github.com/acme/pay', branch: 'dev' },
      },
    },
    config,
  );
  t.equal(out.spec.priority, 'high');
  t.equal(out.spec.retryAttempt, 3);
  t.equal(out.spec.repository?.branch, 'dev');
  t.same(out.spec.resources, config.agents.rex?.resources?.high, "the priority's resources, not standard's");
});

t.test("an optional object stays absent; a present one gets its members' defaults", async (t) => {
  const bare = defaulted('TaskRun', { ...taskRun, spec: { ...taskRun.spec, repository: undefined } }, config);
  t.equal(bare.spec.repository, undefined);
  t.equal(defaulted('TaskRun', taskRun, config).spec.repository?.branch, 'main');
});

t.test('the type: defaulted fields are required, optional objects stay optional', async (t) => {
  const tr = defaulted('TaskRun', taskRun, config);
  const cr = defaulted('CodeRun', codeRun, config);
  const dr = defaulted('DocsRun', docsRun, config);
  // Each line compiles only because the field is required in the defaulted type.
  const required: [string, number, string, string, number, boolean, string, string, string] = [
    tr.spec.priority,
    tr.spec.retryAttempt,
    tr.spec.agent,
    tr.spec.workspace.size,
    cr.spec.contextVersion,
    dr.spec.includeCodebase,
    dr.spec.sourceBranch,
    cr.metadata.labels['app.kubernetes.io/managed-by'] ?? '',
    cr.spec.toolConfig,
  ];
  t.equal(required.length, 9);
  // @ts-expect-error the repository is optional: absent stays absent
  const branch: string = tr.spec.repository.branch;
  t.equal(branch, 'main', 'present here, so its branch is defaulted');
  // @ts-expect-error the model comes from the agent's profile, which may not exist: not required
  const model: string = tr.spec.model;
  t.type(model, 'string');
  // @ts-expect-error the undefaulted input type keeps its defaults optional
  const raw: number = codeRun.spec.contextVersion;
  t.equal(raw, undefined);
});
