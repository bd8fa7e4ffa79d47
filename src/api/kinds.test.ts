// The kind table is the one place a run kind's facts are written; everything that lists or names kinds
// is derived from it. This test proves each derived list matches the table, so a fourth kind (a schema
// and a strategy) cannot be half added.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import YAML from 'yaml';
import { readSchemas } from '../../scripts/generate.js';
import { CRD_NAMES } from '../../test/harness/deploy/crds.js';
import { allowAll } from '../../test/harness/fakes/access-reviewers.js';
import { runKindOf } from '../admission/offline.js';
import { staticConfig } from '../api/index.js';
import { parseKinds } from '../cli/kinds.js';
import { loadDefaultConfig } from '../config/load.js';
import { RUN_STRATEGIES } from '../controllers/kind/strategy.js';
import { loadTemplateSet } from '../render/index.js';
import { findPackageRoot } from '../util/index.js';
import { admissionRoutes } from '../webhook/handlers.js';
import {
  API_VERSION,
  crdName,
  KIND_HELP,
  kindFacts,
  lookupKind,
  qualifiedName,
  RUN_KIND_NAMES,
  RUN_KIND_TABLE,
  type RunKindName,
  runResource,
} from './index.js';
import { loadSchemas } from './schemas.js';

const root = findPackageRoot();
const yaml = (file: string) => YAML.parse(readFileSync(path.join(root, file), 'utf8'));

t.test('the table has one row per run schema, in the schemas’ order', async (t) => {
  const kinds = readSchemas(root).filter((s) => s.crd);
  t.same(
    RUN_KIND_NAMES,
    kinds.map((s) => s.name),
  );
  t.same(
    Object.keys(loadSchemas()).filter((n) => n !== 'ControllerConfig'),
    RUN_KIND_NAMES,
  );
  for (const kind of RUN_KIND_NAMES) {
    const facts = kindFacts(kind);
    t.equal(facts.kind, kind);
    t.equal(facts.finalizer, `${kind.toLowerCase()}.${facts.group}/cleanup`, `${kind}: finalizer`);
  }
});

t.test('CRDs, installer and test harness name the same kinds', async (t) => {
  const crds = readdirSync(path.join(root, 'crds')).filter((f) => f.endsWith('.yaml'));
  t.same(crds.sort(), RUN_KIND_NAMES.map((k) => `${crdName(k)}.yaml`).sort());
  t.same(yaml('crds/Kustomization').resources, crds.sort(), 'crds/Kustomization lists them all');
  t.same(CRD_NAMES, RUN_KIND_NAMES.map(crdName));
  for (const kind of RUN_KIND_NAMES) {
    const crd = yaml(`crds/${crdName(kind)}.yaml`);
    const { plural, singular, shortNames, listKind } = kindFacts(kind);
    t.same(crd.spec.names, {
      ...crd.spec.names,
      kind,
      plural,
      singular,
      shortNames: [...shortNames],
      listKind,
    });
    t.same(runResource(kind), { group: crd.spec.group, version: crd.spec.versions[0].name, plural, kind });
  }
});

t.test('webhook configurations, admission routes and RBAC follow the table', async (t) => {
  for (const [verb, file] of [
    ['validate', 'webhooks/validating.yaml'],
    ['mutate', 'webhooks/mutating.yaml'],
  ] as const) {
    const webhooks = yaml(file).webhooks as Array<{
      name: string;
      clientConfig: { service: { path: string } };
      rules: Array<{ resources: string[] }>;
    }>;
    t.same(
      webhooks.map((w) => [w.name, w.clientConfig.service.path, w.rules[0]?.resources]),
      RUN_KIND_NAMES.map((k) => [
        kindFacts(k).webhooks[verb].name,
        kindFacts(k).webhooks[verb].path,
        [kindFacts(k).plural],
      ]),
      file,
    );
  }
  const served = admissionRoutes({ config: staticConfig(loadDefaultConfig()), reviewer: allowAll() }).map(
    (r) => r.path,
  );
  t.same(
    served.sort(),
    RUN_KIND_NAMES.flatMap((k) => [
      kindFacts(k).webhooks.mutate.path,
      kindFacts(k).webhooks.validate.path,
    ]).sort(),
  );
  const rules = yaml('config/rbac/manager-role.yaml').rules as Array<{
    apiGroups: string[];
    resources: string[];
  }>;
  const ours = rules.filter((r) => r.apiGroups.includes(RUN_KIND_TABLE.TaskRun.group));
  t.ok(ours.length > 0);
  for (const rule of ours) {
    const sub = rule.resources[0]?.includes('/')
      ? rule.resources[0].slice(rule.resources[0].indexOf('/'))
      : '';
    t.same(
      rule.resources,
      RUN_KIND_NAMES.map((k) => `${kindFacts(k).plural}${sub}`),
    );
  }
});

t.test('the CLI and offline admission know every kind by each of its spellings', async (t) => {
  t.same(parseKinds('all'), RUN_KIND_NAMES);
  for (const kind of RUN_KIND_NAMES) {
    const { singular, plural, shortNames, group } = kindFacts(kind);
    const own = kind.toLowerCase();
    for (const word of [singular, plural, ...shortNames, `${plural}.${group}`, kind, own, `${own}s`])
      t.equal(lookupKind(word), kind, `${word} → ${kind}`);
    t.match(KIND_HELP, `${own}(s)`);
    t.equal(qualifiedName(kind), `${own}.${group}`, 'as kubectl prints it: the kind, not the singular');
    t.equal(runKindOf({ apiVersion: API_VERSION, kind }), kind);
  }
  t.equal(lookupKind('bogus'), undefined);
});

t.test('every kind has a strategy, a template folder, a ConfigMap of templates and a sample', async (t) => {
  t.same(Object.keys(RUN_STRATEGIES), RUN_KIND_NAMES);
  for (const kind of RUN_KIND_NAMES) t.equal(RUN_STRATEGIES[kind].kind, kind);
  const set = loadTemplateSet(undefined);
  const generators = (yaml('templates/kustomization.yaml').configMapGenerator as Array<{ name: string }>).map(
    (g) => g.name,
  );
  for (const kind of RUN_KIND_NAMES) {
    const { templateDir } = kindFacts(kind);
    const sample = `config/samples/${kind.toLowerCase()}.yaml`;
    t.ok(existsSync(path.join(root, 'templates', templateDir)), `templates/${templateDir}/`);
    t.ok(set.outputs[kind].size > 0, `${kind} renders templates`);
    t.ok(
      generators.includes(`orchestrator-templates-${templateDir}`),
      `a ConfigMap of templates/${templateDir}`,
    );
    t.equal(yaml(sample).kind, kind, sample);
  }
});

/**
 * Short names of the operators a platform team runs beside this one (from their CRDs): Tekton
 * Pipelines and Triggers, cert-manager, Istio, Argo CD, Workflows, Events and Rollouts, Knative
 * Serving and Eventing, Crossplane, Flux, the Prometheus operator; and Kubernetes' own.
 */
const TAKEN_SHORT_NAMES = {
  tekton: ['tr', 'trs', 'pr', 'prs', 'el', 'tb', 'tt', 'ctb', 'ti'],
  certManager: ['cert', 'certs', 'cr', 'crs', 'ci', 'iss', 'ciss'],
  istio: ['dr', 'vs', 'gw', 'se', 'pa', 'ra', 'ap', 'we', 'wg'],
  argo: [
    'app',
    'apps',
    'appproj',
    'appprojs',
    'appset',
    'appsets',
    'wf',
    'wftmpl',
    'cwf',
    'cronwf',
    'cwft',
    'clusterwftmpl',
    'wfts',
    'wftr',
    'wfeb',
    'wfat',
    'es',
    'sn',
    'eb',
    'ro',
    'ar',
    'at',
    'cat',
    'exp',
  ],
  knative: ['ksvc', 'kservice', 'rt', 'cfg', 'config', 'rev', 'dm', 'kn'],
  crossplane: ['xrd', 'xrds', 'comp', 'comprev', 'envcfg', 'pkgrev'],
  flux: ['gitrepo', 'hr', 'ks', 'helmrepo', 'hc', 'ocirepo', 'alert', 'provider', 'receiver'],
  prometheus: ['prom', 'smon', 'pmon', 'am', 'promrule', 'amcfg'],
  kubernetes: [
    'cm',
    'cs',
    'csr',
    'ds',
    'deploy',
    'ep',
    'ev',
    'hpa',
    'ing',
    'limits',
    'ns',
    'no',
    'pvc',
    'pv',
    'po',
    'pdb',
    'rs',
    'rc',
    'quota',
    'sa',
    'svc',
    'sts',
    'crd',
    'crds',
    'pc',
    'netpol',
    'sc',
  ],
};

t.test(
  "no run kind's short name is another common operator's (Tekton's tr, cert-manager's cr, Istio's dr)",
  async (t) => {
    for (const kind of RUN_KIND_NAMES)
      for (const short of RUN_KIND_TABLE[kind].shortNames)
        for (const [operator, names] of Object.entries(TAKEN_SHORT_NAMES))
          t.notOk(names.includes(short), `${kind}'s short name ${short} is not ${operator}'s`);
  },
);

t.test(
  'every run kind is in the orchestrator category: `kubectl get orchestrator` lists them all',
  async (t) => {
    const crd = (kind: RunKindName) =>
      YAML.parse(readFileSync(path.join(findPackageRoot(), 'crds', `${crdName(kind)}.yaml`), 'utf8'));
    for (const kind of RUN_KIND_NAMES) t.same(crd(kind).spec.names.categories, ['orchestrator'], kind);
  },
);
