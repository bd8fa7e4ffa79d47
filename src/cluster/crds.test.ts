import t from 'tap';
import { scaled } from '../../test/harness/util/wait.js';
import { crdName, GROUP, RUN_KIND_NAMES, runResource, VERSION } from '../api/index.js';
import { ApiError, type ApiRequester, type CallOptions } from '../runtime/index.js';
import { crdManifests, installCrds } from './crds.js';

type Handler = (method: string, path: string, opts: CallOptions) => unknown;

/** An apiserver in memory: `handle` answers each call (or throws), every call is recorded. */
function fakeApi(handle: Handler) {
  const calls: Array<{ method: string; path: string; opts: CallOptions }> = [];
  const client: ApiRequester = {
    request: async <T>(method: string, path: string, opts: CallOptions = {}) => {
      calls.push({ method, path, opts });
      return handle(method, path, opts) as T;
    },
  };
  return { client, calls };
}

const CRD_DISCOVERY = {
  resources: [
    { name: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false },
    { name: 'customresourcedefinitions/status', kind: 'CustomResourceDefinition', namespaced: false },
  ],
};
const established = { status: { conditions: [{ type: 'Established', status: 'True' }] } };
const groupVersion = `apis/${GROUP}/${VERSION}`;
const openApiDoc = {
  components: {
    schemas: Object.fromEntries(
      RUN_KIND_NAMES.map((kind) => [
        `io.orchestrator.v1.${kind}`,
        { 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind }] },
      ]),
    ),
  },
};

/** A cluster that establishes, serves and publishes each thing only after `delay` polls of it. */
function slowCluster(delay: number) {
  const seen = new Map<string, number>();
  const later = (key: string) => {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n > delay;
  };
  return fakeApi((method, path) => {
    if (path === '/apis/apiextensions.k8s.io/v1') return CRD_DISCOVERY;
    if (method === 'PATCH') return {};
    if (path.startsWith('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/'))
      return later(path) ? established : { status: { conditions: [] } };
    if (path === '/openapi/v3') return { paths: later(path) ? { [groupVersion]: {} } : {} };
    if (path === `/openapi/v3/${groupVersion}`) return openApiDoc;
    if (later(path)) return { items: [] };
    throw new ApiError(429, 'TooManyRequests', 'storage is (re)initializing');
  });
}

t.test('the CRDs are the *.yaml files of crds/, one per run kind', async (t) => {
  const names = crdManifests().map((crd) => crd.metadata?.name);
  t.same(names.toSorted(), RUN_KIND_NAMES.map(crdName).toSorted());
});

t.test('installCrds applies each CRD, then polls until established, listed and published', async (t) => {
  const { client, calls } = slowCluster(2);
  await installCrds(client, { pollMs: 1 });
  const applies = calls.filter((c) => c.method === 'PATCH');
  t.same(
    applies.map((c) => c.path).toSorted(),
    RUN_KIND_NAMES.map(
      (k) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName(k)}`,
    ).toSorted(),
  );
  for (const apply of applies) {
    t.equal(apply.opts.contentType, 'application/apply-patch+yaml');
    t.same(apply.opts.query, { fieldManager: 'orchestrator', force: true });
  }
  for (const kind of RUN_KIND_NAMES) {
    const { group, version, plural } = runResource(kind);
    t.ok(
      calls.some((c) => c.path === `/apis/${group}/${version}/${plural}`),
      `${kind} was listed`,
    );
  }
  t.ok(
    calls.some((c) => c.path === `/openapi/v3/${groupVersion}`),
    'the OpenAPI v3 document was read',
  );
  t.ok(
    calls.every((c) => c.opts.timeoutMs !== undefined && c.opts.timeoutMs > 0),
    'every call has a time limit',
  );
});

t.test('a kind missing from OpenAPI v3 is waited for, and named when time runs out', async (t) => {
  const { client } = fakeApi((method, path) => {
    if (path === '/apis/apiextensions.k8s.io/v1') return CRD_DISCOVERY;
    if (method === 'PATCH') return {};
    if (path.startsWith('/apis/apiextensions.k8s.io/')) return established;
    if (path === '/openapi/v3') return { paths: { [groupVersion]: {} } };
    if (path === `/openapi/v3/${groupVersion}`) return { components: { schemas: {} } };
    return { items: [] };
  });
  await t.rejects(installCrds(client, { timeoutMs: scaled(2000), pollMs: 10 }), {
    message: new RegExp(
      `timed out waiting for the runs to be listed and published in OpenAPI v3: .*has no schema for ${RUN_KIND_NAMES.join(', ')}`,
    ),
  });
});

t.test('CRDs never established: the error names them', async (t) => {
  const { client } = slowCluster(Number.POSITIVE_INFINITY);
  await t.rejects(installCrds(client, { timeoutMs: scaled(2000), pollMs: 10 }), {
    message:
      /timed out waiting for the CRDs .*agenttaskruns\.orchestrator\.io.* to be Established: .*not Established yet/,
  });
});

t.test('an answer that waiting cannot change fails at once', async (t) => {
  const forbidden = new ApiError(403, 'Forbidden', 'GET agenttaskruns: HTTP 403 Forbidden');
  const { client } = fakeApi((method, path) => {
    if (path === '/apis/apiextensions.k8s.io/v1') return CRD_DISCOVERY;
    if (method === 'PATCH') return {};
    if (path.startsWith('/apis/apiextensions.k8s.io/')) return established;
    throw forbidden;
  });
  const started = Date.now();
  await t.rejects(installCrds(client, { timeoutMs: 60_000, pollMs: 10 }), forbidden);
  t.ok(Date.now() - started < 30_000, 'without waiting for the deadline');

  const { client: taken } = fakeApi((method, path) => {
    if (path === '/apis/apiextensions.k8s.io/v1') return CRD_DISCOVERY;
    if (method === 'PATCH') return {};
    return {
      status: {
        conditions: [
          { type: 'NamesAccepted', status: 'False', reason: 'ShortNamesConflict', message: 'tr is taken' },
        ],
      },
    };
  });
  const again = Date.now();
  await t.rejects(installCrds(taken, { timeoutMs: 60_000, pollMs: 10 }), {
    message: /^CRD .*: names not accepted \(ShortNamesConflict\): tr is taken/,
  });
  t.ok(Date.now() - again < 30_000, 'names taken: without waiting for the deadline');
});
