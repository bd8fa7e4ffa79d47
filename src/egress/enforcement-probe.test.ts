// Whether a NetworkPolicy engine runs: found by a DaemonSet's name or image; otherwise "not known",
// with what that means; an unreadable cluster says so.
import t from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { enforcementFromDaemonSets, networkPolicyEnforcement } from './enforcement-probe.js';

const ds = (namespace: string, name: string, image = 'example/x:1') => ({
  metadata: { namespace, name },
  spec: { template: { spec: { containers: [{ image }] } } },
});

t.test('an engine found by its DaemonSet’s name or image', async (t) => {
  t.match(enforcementFromDaemonSets([ds('kube-system', 'kube-proxy'), ds('calico-system', 'calico-node')]), {
    enforced: true,
    engine: 'Calico',
    message: 'NetworkPolicies are enforced by Calico (DaemonSet calico-system/calico-node)',
  });
  t.match(enforcementFromDaemonSets([ds('kube-system', 'agent', 'quay.io/cilium/cilium:v1.16')]), {
    engine: 'Cilium',
  });
});

t.test('none known: not said to be absent, said what it means', async (t) => {
  const v = enforcementFromDaemonSets([
    ds('kube-system', 'kube-proxy'),
    ds('kube-system', 'kube-flannel-ds'),
  ]);
  t.equal(v.enforced, undefined);
  t.match(
    v.message,
    /^no NetworkPolicy engine known to the operator \(Calico, Cilium, .*\) runs as a DaemonSet/,
  );
  t.match(v.message, /do nothing/);
});

t.test('read from the cluster; an error is a verdict, not a throw', async (t) => {
  const answer = {
    request: async (method: string, path: string) => {
      t.equal(`${method} ${path}`, 'GET /apis/apps/v1/daemonsets');
      return { items: [ds('kube-system', 'kube-router')] };
    },
  };
  t.match(await networkPolicyEnforcement(answer as never), { enforced: true, engine: 'kube-router' });
  const refused = new FakeApi();
  refused.failNext('GET', '/apis/apps/v1/daemonsets', apiError(403, 'Forbidden'));
  t.match(await networkPolicyEnforcement(refused), {
    enforced: undefined,
    message: /^could not tell whether the cluster enforces NetworkPolicies \(listing DaemonSets: Forbidden/,
  });
});
