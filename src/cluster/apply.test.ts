import t from 'tap';
import { ApiError, type ApiRequester, type CallOptions } from '../runtime/index.js';
import { applyObjects } from './apply.js';

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
