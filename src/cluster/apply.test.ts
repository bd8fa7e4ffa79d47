import t from 'tap';
import { ApiError, type ApiRequester, type CallOptions } from '../runtime/index.js';
import { APPLY_ATTEMPTS, applyObjects } from './apply.js';

/** Discovery of core v1 and rbac, PATCH answered with its path; every call recorded. */
function fakeApi() {
  const calls: Array<{ method: string; path: string; opts: CallOptions }> = [];
  const client: ApiRequester = {
    request: async <T>(method: string, path: string, opts: CallOptions = {}) => {
      calls.push({ method, path, opts });
      if (path === '/api/v1')
        return {
          resources: [
            { name: 'namespaces', kind: 'Namespace', namespaced: false },
            { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
          ],
        } as T;
      if (path === '/apis/rbac.authorization.k8s.io/v1')
        return { resources: [{ name: 'roles', kind: 'Role', namespaced: true }] } as T;
      if (method === 'PATCH') return { applied: path } as T;
      throw new ApiError(404, 'NotFound', `${method} ${path}: HTTP 404 NotFound`);
    },
  };
  return { client, calls };
}

t.test('applyObjects: paths from discovery, namespaced objects need a namespace', async (t) => {
  const { client, calls } = fakeApi();
  const applied = await applyObjects(
    client,
    [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'a' } },
    ],
    { fieldManager: 'test' },
  );
  t.same(
    applied.map((a) => a.applied),
    [
      '/api/v1/namespaces/a',
      '/api/v1/namespaces/a/configmaps/c',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles/r',
    ],
  );
  t.equal(calls.filter((c) => c.path === '/api/v1').length, 1, 'one discovery call per apiVersion');
  t.same(calls.find((c) => c.method === 'PATCH')?.opts.query, { fieldManager: 'test', force: true });

  await t.rejects(
    applyObjects(client, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }]),
    /ConfigMap c: namespaced, but has no metadata.namespace/,
  );
  await t.rejects(
    applyObjects(client, [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' } }]),
    /the apiserver serves no Secret in v1/,
  );
});

t.test(
  'applyObjects sends a PATCH again while the apiserver says it did not do it, and stops at a real answer',
  async (t) => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' } };
    const answers = (statuses: number[]) => {
      const { client, calls } = fakeApi();
      const request = client.request;
      client.request = async <T>(method: string, path: string, opts?: CallOptions) => {
        if (method === 'PATCH' && statuses.length > 0) {
          calls.push({ method, path, opts: opts ?? {} });
          const status = statuses.shift() as number;
          throw new ApiError(status, 'Timeout', `${method} ${path}: HTTP ${status}`);
        }
        return request<T>(method, path, opts);
      };
      return { client, patches: () => calls.filter((c) => c.method === 'PATCH').length };
    };

    const busy = answers([504, 429, 503]);
    t.same(await applyObjects(busy.client, [object], { busyDelayMs: 1 }), [
      { applied: '/api/v1/namespaces/a/configmaps/c' },
    ]);
    t.equal(busy.patches(), 4, 'three busy answers, then the PATCH that was done');

    const always = answers([504, 504, 504, 504, 504]);
    await t.rejects(applyObjects(always.client, [object], { busyDelayMs: 1 }), /HTTP 504/);
    t.equal(always.patches(), APPLY_ATTEMPTS, 'gives up after APPLY_ATTEMPTS');

    const invalid = answers([422]);
    await t.rejects(applyObjects(invalid.client, [object], { busyDelayMs: 1 }), /HTTP 422/);
    t.equal(invalid.patches(), 1, 'an invalid object is not sent again');
  },
);
