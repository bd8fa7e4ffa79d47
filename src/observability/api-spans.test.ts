import t from 'tap';
import { apiTarget } from './api-spans.js';

t.test("an API path's resource, namespace and name (the span name is low in cardinality)", async (t) => {
  t.same(apiTarget('/apis/batch/v1/namespaces/ns/jobs/x/status'), {
    resource: 'jobs/status',
    namespace: 'ns',
    name: 'x',
  });
  t.same(apiTarget('/api/v1/namespaces/ns/pods'), { resource: 'pods', namespace: 'ns' });
  t.same(apiTarget('/apis/orchestrator.io/v1/agenttaskruns'), { resource: 'agenttaskruns' });
  t.same(apiTarget('/api/v1/namespaces/a%20b'), { resource: 'namespaces', name: 'a b' });
  t.same(apiTarget('/api/v1/namespaces'), { resource: 'namespaces' });
  t.same(apiTarget('/apis/coordination.k8s.io/v1/namespaces/ns/leases/l?x=1'), {
    resource: 'leases',
    namespace: 'ns',
    name: 'l',
  });
  t.same(apiTarget('/version'), { resource: '/version' });
});
