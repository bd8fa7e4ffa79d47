// The local control plane includes a trimmed kube-controller-manager: garbage collection and namespace
// deletion are real, as in a cluster (a fake API would not show what a cascade deletes).
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import t from 'tap';
import { clusterSource } from '../../src/cluster/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
const core = kubeConfig(cluster).makeApiClient(CoreV1Api);

const gone = (read: () => Promise<unknown>) => async () => {
  try {
    await read();
    return false;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return true;
    throw err;
  }
};

// envtest has no controller-manager; the built-in control plane and real clusters do.
if (clusterSource() === 'envtest') {
  t.comment(
    'envtest binaries include no kube-controller-manager: garbage collection is not part of this run',
  );
  process.exit(0);
}

t.test('deleting an owner cascades to its dependents (garbage collector)', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const owner = await core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: 'owner' }, data: { a: '1' } },
  });
  await core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: {
        name: 'dependent',
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: 'owner',
            uid: owner.metadata?.uid as string,
            controller: true,
          },
        ],
      },
    },
  });
  await core.deleteNamespacedConfigMap({ name: 'owner', namespace, propagationPolicy: 'Background' });
  await waitFor(
    'the dependent is collected',
    gone(() => core.readNamespacedConfigMap({ name: 'dependent', namespace })),
  );
  t.pass('the dependent was garbage-collected');
});

t.test('a deleted namespace is emptied and removed (namespace controller)', async (t) => {
  const namespace = await testNamespace(t, cluster);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'inside' } } });
  await core.deleteNamespace({ name: namespace });
  await waitFor(
    'the namespace is gone',
    gone(() => core.readNamespace({ name: namespace })),
  );
  t.pass('namespace deleted with its contents');
});

t.test('every namespace gets its default ServiceAccount (serviceaccount controller)', async (t) => {
  const namespace = await testNamespace(t, cluster);
  await waitFor(
    'default exists',
    async () => !(await gone(() => core.readNamespacedServiceAccount({ name: 'default', namespace }))()),
  );
  t.pass('default ServiceAccount created');
});
