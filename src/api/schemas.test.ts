// The schemas in schemas/: documented everywhere, structural (valid as CRD schemas), usable by ajv, and
// the default controller config valid against its schema.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import formats from 'ajv-formats';
import t from 'tap';
import YAML from 'yaml';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import { findPackageRoot } from '../util/index.js';
import { agentOfGithubApp } from './github-app-agent.js';
import { RUN_KIND_NAMES, type RunKindName } from './kinds.js';
import { ORG_REPO } from './normalise.js';
import { type JsonSchema, loadSchemas, SCHEMA_FILES } from './schemas.js';

const root = findPackageRoot();
const schemas = loadSchemas();
const KINDS: readonly RunKindName[] = RUN_KIND_NAMES;

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats.default(ajv);
  return ajv;
}

/** Calls visit on every schema node reachable through properties, items and additionalProperties. */
function walk(node: JsonSchema, at: string, visit: (node: JsonSchema, at: string) => void): void {
  visit(node, at);
  for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${at}.${name}`, visit);
  if (node.items && typeof node.items === 'object') walk(node.items, `${at}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    walk(node.additionalProperties, `${at}{}`, visit);
  }
}

// The keywords of apiextensions.k8s.io/v1 JSONSchemaProps, minus those a v1 CRD rejects or that
// structural schemas forbid ($ref, definitions, id, $schema, patternProperties, dependencies, additionalItems).
const CRD_KEYWORDS = new Set([
  ...['description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum'],
  ...['exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems'],
  ...['multipleOf', 'enum', 'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf'],
  ...['not', 'properties', 'additionalProperties', 'externalDocs', 'example', 'nullable'],
  ...['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'],
  ...[
    'x-kubernetes-list-map-keys',
    'x-kubernetes-list-type',
    'x-kubernetes-map-type',
    'x-kubernetes-validations',
  ],
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * The reasons a CRD schema is not structural or would be rejected by a v1 CRD (an empty list when it is
 * fine). Follows the rules of the Kubernetes "structural schema" documentation; value validations inside
 * allOf/anyOf/oneOf/not are not used by our schemas and are reported.
 */
function structuralViolations(schema: JsonSchema): string[] {
  const out: string[] = [];
  const ajv = newAjv();
  if (schema.type !== 'object') out.push('root: type must be object');
  const metadata = schema.properties?.metadata;
  if (metadata) {
    // The apiserver refuses anything else here, even a description.
    const extra = [
      ...Object.keys(metadata).filter((k) => k !== 'type' && k !== 'properties'),
      ...Object.keys(metadata.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName'),
    ];
    if (extra.length > 0 || metadata.type !== 'object') {
      out.push('metadata: only type object and restrictions of name and generateName are allowed');
    }
  }
  walk(schema, '', (node, at) => {
    const where = at || '<root>';
    for (const key of Object.keys(node))
      if (!CRD_KEYWORDS.has(key)) out.push(`${where}: keyword ${key} not allowed`);
    for (const key of ['allOf', 'oneOf', 'anyOf', 'not'])
      if (key in node) out.push(`${where}: ${key} not supported`);
    const intOrString = node['x-kubernetes-int-or-string'] === true;
    if (!intOrString && node['x-kubernetes-preserve-unknown-fields'] !== true && !node.type) {
      out.push(`${where}: type missing`);
    }
    if (node.type && !TYPES.has(node.type)) out.push(`${where}: unknown type ${node.type}`);
    if (node.properties && node.additionalProperties !== undefined) {
      out.push(`${where}: properties and additionalProperties are mutually exclusive`);
    }
    if (typeof node.additionalProperties === 'boolean')
      out.push(`${where}: additionalProperties must be a schema`);
    if ((node.properties || node.additionalProperties) && node.type !== 'object')
      out.push(`${where}: not an object`);
    if (node.type === 'array' && !node.items) out.push(`${where}: array without items`);
    if (node.items && node.type !== 'array') out.push(`${where}: items on a non-array`);
    if (node.uniqueItems === true)
      out.push(`${where}: uniqueItems: true is forbidden, use x-kubernetes-list-type`);
    for (const name of node.required ?? []) {
      if (!node.properties?.[name]) out.push(`${where}: required ${name} is not a property`);
    }
    if (node.enum && node.type && SCALARS.has(node.type)) {
      const jsType = node.type === 'integer' ? 'number' : node.type;
      for (const v of node.enum)
        if (typeof v !== jsType) out.push(`${where}: enum value ${String(v)} is not a ${node.type}`);
    }
    if (node.default !== undefined) {
      const { default: value, ...rest } = node;
      if (!ajv.validate(rest, value)) out.push(`${where}: default ${JSON.stringify(value)} is invalid`);
    }
    const listType = node['x-kubernetes-list-type'];
    if (listType !== undefined) {
      if (node.type !== 'array') out.push(`${where}: x-kubernetes-list-type on a non-array`);
      if (!['atomic', 'set', 'map'].includes(String(listType)))
        out.push(`${where}: bad list type ${String(listType)}`);
      const items = node.items ?? {};
      if (listType === 'set' && !SCALARS.has(String(items.type)))
        out.push(`${where}: set items must be scalars`);
      if (listType === 'map') {
        const keys = node['x-kubernetes-list-map-keys'];
        if (items.type !== 'object' || !Array.isArray(keys) || keys.length === 0) {
          out.push(`${where}: a map list needs object items and x-kubernetes-list-map-keys`);
        }
        for (const key of Array.isArray(keys) ? (keys as string[]) : []) {
          const keySchema = items.properties?.[key];
          if (!keySchema || !SCALARS.has(String(keySchema.type)))
            out.push(`${where}: map key ${key} must be a scalar`);
          if (!items.required?.includes(key) && keySchema?.default === undefined) {
            out.push(`${where}: map key ${key} must be required or defaulted`);
          }
        }
      }
    } else if (node['x-kubernetes-list-map-keys'] !== undefined) {
      out.push(`${where}: x-kubernetes-list-map-keys without x-kubernetes-list-type: map`);
    }
    const rules = node['x-kubernetes-validations'];
    if (rules !== undefined) {
      if (!Array.isArray(rules)) out.push(`${where}: x-kubernetes-validations must be a list`);
      for (const rule of Array.isArray(rules) ? rules : []) {
        if (typeof rule?.rule !== 'string' || typeof rule?.message !== 'string') {
          out.push(`${where}: every validation rule needs rule and message`);
        }
      }
    }
  });
  return out;
}

t.test('schemas/ holds exactly the listed schema files (and shared/, their fragments)', async (t) => {
  const { readdirSync } = await import('node:fs');
  t.same(readdirSync(path.join(root, 'schemas')).sort(), [...Object.values(SCHEMA_FILES), 'shared'].sort());
});

t.test('every field has a description', async (t) => {
  for (const [name, schema] of Object.entries(schemas)) {
    const missing: string[] = [];
    walk(schema, '', (node, at) => {
      // A CRD may not describe metadata (see structuralViolations); kubectl explain describes it anyway.
      if (at === '.metadata' && name !== 'ControllerConfig') return;
      if (typeof node.description !== 'string' || node.description.trim() === '')
        missing.push(at || '<root>');
    });
    t.same(missing, [], `${name}: fields without a description`);
  }
});

t.test('every CRD schema is structural', async (t) => {
  for (const kind of KINDS) t.same(structuralViolations(schemas[kind]), [], kind);
});

t.test('the structural check catches violations', async (t) => {
  const bad: JsonSchema = {
    type: 'object',
    properties: {
      metadata: { type: 'object', description: 'x', properties: { labels: { type: 'object' } } },
      a: { description: 'no type' },
      b: { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: { type: 'string' } },
      c: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map' },
      d: { type: 'string', enum: ['x'], default: 'y' },
      e: { type: 'object', additionalProperties: false, $ref: '#/x' },
      f: { type: 'array', uniqueItems: true, items: { type: 'string' } },
    },
  };
  const found = structuralViolations(bad).join('\n');
  for (const expected of [
    'metadata: only',
    '.a: type missing',
    '.b: properties and additionalProperties',
    '.c: a map list',
    '.d: default "y" is invalid',
    '.e: keyword $ref',
    '.e: additionalProperties must be a schema',
    '.f: uniqueItems',
  ]) {
    t.match(found, expected);
  }
});

t.test('the controller config schema rejects unknown fields everywhere', async (t) => {
  const open: string[] = [];
  walk(schemas.ControllerConfig, '', (node, at) => {
    if (node.type === 'object' && node.additionalProperties === undefined) open.push(at || '<root>');
  });
  t.same(open, []);
});

const errorsOf = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

t.test('config/manager/controller-config.yaml is a valid controller config', async (t) => {
  const config = YAML.parse(
    readFileSync(path.join(root, 'config', 'manager', 'controller-config.yaml'), 'utf8'),
  );
  const validate = newAjv().compile(schemas.ControllerConfig);
  t.ok(validate(config), errorsOf(validate.errors).join('; '));
  t.ok(config.agents[config.defaultAgent], 'defaultAgent names an agent');
  // Each install names its own Apps (docs/first-run.md "3a"): no default is another organisation's.
  t.same(config.githubApps ?? [], [], 'githubApps names no App');
  for (const [name, agent] of Object.entries<{ githubApp?: string; model?: string }>(config.agents)) {
    t.equal(agent.githubApp, undefined, `${name}: names no GitHub App`);
    t.ok(config.models.includes(agent.model), `${name}: its model is known`);
  }
  t.notOk(validate({ ...config, leaderElection: { enabeld: true } }), 'a typo is caught');
  t.notOk(validate({ agents: {}, defaultAgent: 'rex' }), 'at least one agent');
});

t.test("the seed's Apps are a sample's: one per profile, each recognised", async (t) => {
  const seed = seedConfig();
  // Seed 004's deploy and acceptance stages have no App of the seed's: their profiles name none.
  const withoutApp = ['deploy', 'acceptance'];
  for (const name of withoutApp) t.equal(seed.agents[name]?.githubApp, undefined, `${name}: no seed App`);
  for (const [name, agent] of Object.entries(seed.agents).filter(([n]) => !withoutApp.includes(n))) {
    t.match(agent.githubApp, /^5DLabs-/, `${name}: the seed's App`);
    t.ok(seed.githubApps?.includes(agent.githubApp ?? ''), `${name}: its githubApp is recognised`);
    t.equal(agentOfGithubApp(seed, agent.githubApp ?? ''), name, `${name}: its App runs it`);
  }
});

t.test('useDefaults fills in the config sections', async (t) => {
  const ajv = new Ajv({ strict: false, useDefaults: true });
  formats.default(ajv);
  const config = { agents: { rex: { image: 'x' } }, defaultAgent: 'rex' };
  t.ok(ajv.validate(schemas.ControllerConfig, config));
  t.match(config, {
    agents: { rex: { tools: 'default' } },
    workspace: { size: '10Gi' },
    retries: { maxRetries: 3 },
    leaderElection: { enabled: true, leaseName: 'orchestrator-leader', leaseDurationSeconds: 15 },
    webhook: { port: 9443 },
    metrics: { bindAddress: ':8080' },
    health: { bindAddress: ':8081' },
  });
});

const taskRun = (spec: Record<string, unknown>) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name: 't1', namespace: 'default' },
  spec: {
    taskId: 1,
    serviceName: 'api',
    markdownFiles: [{ filename: 'task.md', content: '# Do it' }],
    ...spec,
  },
});

t.test('ajv validates runs against the CRD schemas', async (t) => {
  const ajv = newAjv();
  const tr = ajv.compile(schemas.TaskRun);
  t.ok(tr(taskRun({})), errorsOf(tr.errors).join('; '));
  t.ok(
    tr(
      taskRun({
        priority: 'high',
        agent: 'rex',
        retryAttempt: 2,
        repository: { url: 'git@github.com:5dlabs/cto.git', branch: 'feature/x' },
        agentTools: [{ name: 'bash', enabled: true, restrictions: ['no rm -rf'] }],
        dependsOn: [3, 4],
        workspace: { pvcName: 'workspace-api', size: '10Gi' },
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2' } },
      }),
    ),
    errorsOf(tr.errors).join('; '),
  );
  t.notOk(tr(taskRun({ taskId: 0, serviceName: 'API_x', markdownFiles: [{ filename: 'task.txt' }] })));
  t.same(
    errorsOf(tr.errors)
      .map((e) => e.split(' ')[0])
      .sort(),
    ['/spec/markdownFiles/0/filename', '/spec/serviceName', '/spec/taskId'],
  );
  t.notOk(tr(taskRun({ markdownFiles: [] })), 'at least one file');
  t.notOk(tr(taskRun({ priority: 'urgent' })), 'unknown priority');
  t.notOk(tr(taskRun({ resources: { requests: { cpu: 'lots' } } })), 'bad quantity');

  const cr = ajv.compile(schemas.CodeRun);
  const codeRun = {
    spec: {
      taskId: 7,
      service: 'api',
      repositoryUrl: 'https://github.com/5dlabs/api',
      docsRepositoryUrl: 'ssh://git@github.com/5dlabs/docs.git',
      githubApp: '5DLabs-Rex',
      env: { FOO: 'bar' },
      envFromSecrets: [{ name: 'TOKEN', secretName: 'tokens', secretKey: 'token' }],
      toolConfig: 'advanced',
    },
    status: { phase: 'Running', workCompleted: false, retryCount: 0 },
  };
  t.ok(cr(codeRun), errorsOf(cr.errors).join('; '));
  t.notOk(cr({ spec: { ...codeRun.spec, toolConfig: 'max', docsRepositoryUrl: 'ftp://x/y' } }));
  t.equal(cr.errors?.length, 2);

  const dr = ajv.compile(schemas.DocsRun);
  const status = {
    phase: 'Succeeded',
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'JobSucceeded',
        message: '',
        lastTransitionTime: '2025-01-01T00:00:00Z',
      },
    ],
  };
  const docsRun = {
    spec: { repositoryUrl: 'https://github.com/o/r', workingDirectory: 'docs', githubApp: 'x' },
    status,
  };
  t.ok(dr(docsRun), errorsOf(dr.errors).join('; '));
  t.notOk(
    dr({ ...docsRun, status: { conditions: [{ ...status.conditions[0], status: true }] } }),
    'status is a string',
  );
});

t.test('repository URL pattern', async (t) => {
  const source = schemas.TaskRun.properties?.spec?.properties?.repository?.properties?.url?.pattern ?? '';
  const pattern = new RegExp(source, 'u');
  for (const ok of [
    'https://github.com/5dlabs/cto',
    'https://github.com/5dlabs/cto.git',
    'https://gitlab.example.com:8443/group/sub/repo/',
    'git@github.com:5dlabs/cto.git',
    'git@github.com:5dlabs/cto',
    'ssh://git@github.com/5dlabs/cto.git',
    'ssh://github.com:22/5dlabs/cto',
    '5dlabs/cto',
    'acme/pay.ments_2',
  ]) {
    t.match(ok, pattern, ok);
  }
  for (const bad of [
    'http://github.com/o/r',
    'https://github.com',
    'github.com/o/r',
    'git@github.com:repo',
    'ftp://x/y',
    'payments',
    '-acme/pay',
    'acme/pay/x',
  ]) {
    t.notMatch(bad, pattern, bad);
  }
  // The schema accepts org/repo exactly where admission expands it (src/api/normalise.ts).
  for (const value of ['5dlabs/cto', 'a/b', 'a-b/c.d', '-a/b', 'a/b/c', 'a_b/c', 'a/b c', 'a/'])
    t.equal(pattern.test(value), ORG_REPO.test(value), value);
  for (const kind of ['CodeRun', 'DocsRun'] as const) {
    const spec = schemas[kind].properties?.spec?.properties ?? {};
    t.equal(spec.repositoryUrl?.pattern, source, `${kind} uses the same pattern`);
  }
});

t.test('findPackageRoot', async (t) => {
  t.equal(findPackageRoot(path.join(root, 'src', 'api')), root);
  t.equal(findPackageRoot(path.join(root, 'dist', 'api')), root, 'from compiled code too');
  t.throws(() => findPackageRoot('/'));
});
