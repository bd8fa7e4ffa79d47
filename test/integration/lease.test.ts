// Leader election stands on Lease optimistic concurrency; prove the apiserver gives us exactly that.
import { ApiException, CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import t from 'tap';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';

const cluster = await testCluster();
const leases = kubeConfig(cluster).makeApiClient(CoordinationV1Api);

t.test('a Lease is created, renewed, and a stale resourceVersion gets 409 Conflict', async (t) => {
  const namespace = await testNamespace(t, cluster);
  // Lease times are MicroTime: a plain Date serialises with milliseconds, which the apiserver refuses.
  const now = () => new V1MicroTime();
  const created = await leases.createNamespacedLease({
    namespace,
    body: {
      metadata: { name: 'leader' },
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        acquireTime: now(),
        renewTime: now(),
        leaseTransitions: 0,
      },
    },
  });
  const stale = structuredClone(created) as V1Lease;
  const renewed = await leases.replaceNamespacedLease({
    name: 'leader',
    namespace,
    body: { ...created, spec: { ...created.spec, renewTime: now() } },
  });
  t.not(
    renewed.metadata?.resourceVersion,
    created.metadata?.resourceVersion,
    'renewal moves the resourceVersion',
  );

  let conflict: unknown;
  try {
    await leases.replaceNamespacedLease({
      name: 'leader',
      namespace,
      body: { ...stale, spec: { ...stale.spec, holderIdentity: 'b', leaseTransitions: 1 } },
    });
  } catch (err) {
    conflict = err;
  }
  t.ok(conflict instanceof ApiException, 'the stale write fails');
  t.equal((conflict as ApiException<unknown>).code, 409);
  const current = await leases.readNamespacedLease({ name: 'leader', namespace });
  t.equal(current.spec?.holderIdentity, 'a', 'the holder did not change');
});
