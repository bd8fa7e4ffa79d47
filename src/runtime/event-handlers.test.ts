import t from 'tap';
import { mapToControllerOwner, mapToSelf } from './event-handlers.js';
import { type KubeObject, LAST_APPLIED_ANNOTATION, stripForCache } from './object.js';

const owned = (refs: KubeObject['metadata']): KubeObject => ({
  metadata: { namespace: 'ns', name: 'job-1', ...refs },
});

t.test('a primary object maps to itself', async (t) => {
  t.same(mapToSelf({ metadata: { namespace: 'ns', name: 'a' } }), [{ namespace: 'ns', name: 'a' }]);
  t.same(mapToSelf({ metadata: { name: 'cluster-wide' } }), [{ namespace: '', name: 'cluster-wide' }]);
  t.same(mapToSelf({}), [], 'an object without a name maps to nothing');
});

t.test('an owned object maps to its controller owner of the right group and kind only', async (t) => {
  const toTaskRun = mapToControllerOwner({ group: 'orchestrator.io', kind: 'TaskRun' });
  const ref = { apiVersion: 'orchestrator.io/v1', kind: 'TaskRun', name: 'run-1', uid: 'u1' };
  t.same(toTaskRun(owned({ ownerReferences: [{ ...ref, controller: true }] })), [
    { namespace: 'ns', name: 'run-1' },
  ]);
  t.same(
    toTaskRun(
      owned({ ownerReferences: [{ ...ref, apiVersion: 'orchestrator.io/v1beta1', controller: true }] }),
    ),
    [{ namespace: 'ns', name: 'run-1' }],
    'the version does not matter',
  );
  t.same(toTaskRun(owned({ ownerReferences: [ref] })), [], 'an owner that is not the controller is ignored');
  t.same(
    toTaskRun(owned({ ownerReferences: [{ ...ref, kind: 'CodeRun', controller: true }] })),
    [],
    'other kind',
  );
  t.same(
    toTaskRun(owned({ ownerReferences: [{ ...ref, apiVersion: 'other.io/v1', controller: true }] })),
    [],
    'other group',
  );
  t.same(
    toTaskRun(owned({ ownerReferences: [ref, { ...ref, name: 'run-2', controller: true }] })),
    [{ namespace: 'ns', name: 'run-2' }],
    'the controller among several owners',
  );
  t.same(toTaskRun(owned({})), [], 'no owner at all');
  const toConfigMap = mapToControllerOwner({ group: '', kind: 'ConfigMap' });
  t.same(
    toConfigMap(
      owned({
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u', controller: true }],
      }),
    ),
    [{ namespace: 'ns', name: 'x' }],
    'core group owners',
  );
});

t.test('cached objects lose managedFields and the last-applied annotation, nothing else', async (t) => {
  const obj = stripForCache({
    metadata: {
      name: 'a',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { [LAST_APPLIED_ANNOTATION]: '{"big":"copy"}', keep: 'me' },
    },
    data: { x: '1' },
  });
  t.same(obj, { metadata: { name: 'a', annotations: { keep: 'me' } }, data: { x: '1' } });
  const onlyLastApplied = stripForCache({
    metadata: { name: 'b', annotations: { [LAST_APPLIED_ANNOTATION]: '{}' } },
  });
  t.same(onlyLastApplied, { metadata: { name: 'b' } }, 'an emptied annotation map goes too');
});
