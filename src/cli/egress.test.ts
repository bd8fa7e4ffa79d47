// `orchestrator egress manifests`: the proxy's objects, or a namespace's policies, from the config.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments, stringify } from 'yaml';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { loadDefaultConfig } from '../config/load.js';
import { main } from './main.js';

const egress = async (
  args: string[],
  change: (c: ReturnType<typeof loadDefaultConfig>) => void = () => {},
) => {
  const config = loadDefaultConfig();
  change(config);
  const file = join(tmpdir(), `egress-config-${process.pid}-${Math.random()}.yaml`);
  writeFileSync(file, stringify(config));
  const io = memoryIO();
  const code = await main(['node', 'orchestrator', 'egress', 'manifests', '--config', file, ...args], io);
  return { code, docs: parseAllDocuments(io.stdout()).map((d) => d.toJS()), err: io.stderr() };
};

t.test("without -n: the proxy's ConfigMap, Deployment, Service and NetworkPolicy", async (t) => {
  const { code, docs, err } = await egress([]);
  t.equal(code, 0, err);
  t.same(
    docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`),
    [
      'ConfigMap/orchestrator-system/orchestrator-egress-proxy',
      'Deployment/orchestrator-system/orchestrator-egress-proxy',
      'Service/orchestrator-system/orchestrator-egress-proxy',
      'NetworkPolicy/orchestrator-system/orchestrator-egress-proxy',
    ],
  );
  t.match(docs[0].data['squid.conf'], /http_port 3128 name=default/);
});

t.test('with -n: each allowlist’s NetworkPolicy there, offline when none names a Service', async (t) => {
  const { code, docs, err } = await egress(['-n', 'team-a', '--kubeconfig', '/nonexistent'], (c) => {
    c.egress.allowlists = { default: { port: 3128 }, wide: { port: 3129 } };
    for (const agent of Object.values(c.agents)) agent.clusterAccess = false;
  });
  t.equal(code, 0, err);
  t.same(
    docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`),
    ['NetworkPolicy/team-a/orchestrator-egress-default', 'NetworkPolicy/team-a/orchestrator-egress-wide'],
  );
});

t.test(
  'with -n and an agent with clusterAccess: the apiserver’s addresses are read from the cluster',
  async (t) => {
    const { code, err } = await egress(['-n', 'team-a', '--kubeconfig', '/nonexistent'], (c) => {
      c.egress.allowlists = { default: { port: 3128 } };
    });
    t.equal(code, 1, 'no policy is printed without them');
    t.match(err, /nonexistent/);
  },
);

t.test('a bad config is refused naming the field', async (t) => {
  const { code, err } = await egress([], (c) => {
    c.egress.allowlists = { default: { port: 3128 }, wide: { port: 3128 } };
  });
  t.equal(code, 1);
  t.match(err, /egress\.allowlists\.wide\.port: Duplicate value: 3128/);
});
