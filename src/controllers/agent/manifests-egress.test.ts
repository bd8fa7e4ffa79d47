// The Job builder with egress on (docs/agent-pods.md "Egress"): every container of the pod goes out
// through its profile's allowlist port, the pod carries the label its NetworkPolicy selects, and no
// run variable displaces the proxy's.
import t from 'tap';
import {
  agentOf,
  codeRun,
  config,
  input,
  type Json,
  taskRun,
} from '../../../test/harness/fakes/job-builder-runs.js';
import { AGENT_CONTAINER, PREPARE_CONTAINER, PUBLISH_CONTAINER } from '../../naming/containers.js';
import { codeRunStrategy } from '../kind/strategy.js';
import { attemptJob } from './manifests.js';

const on = structuredClone(config);
on.egress.enabled = true;
on.egress.allowlists = { default: { port: 3128 }, wide: { port: 3129 } };
const tess = on.agents.tess;
if (tess) tess.egressAllowlist = 'wide';
const podOf = (job: unknown) => (job as Json).spec.template;
const containers = (pod: Json): Json[] => [...pod.spec.initContainers, ...pod.spec.containers];
const proxyOf = (c: Json) => c.env?.filter((e: Json) => /_proxy$/i.test(e.name)) ?? [];

t.test('egress on: the label, and the proxy variables in prepare, the agent and the publisher', async (t) => {
  const pod = podOf(attemptJob(input(taskRun({}, on), 2, on)));
  t.equal(pod.metadata.labels['orchestrator.io/egress'], 'default', 'the default profile’s allowlist');
  const names = containers(pod).map((c) => c.name);
  t.same(names, [PREPARE_CONTAINER, AGENT_CONTAINER, PUBLISH_CONTAINER]);
  for (const c of containers(pod)) {
    const env = proxyOf(c);
    t.same(
      env.map((e: Json) => e.name),
      ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'],
      `${c.name}: every proxy variable`,
    );
    t.equal(env[2].value, 'http://orchestrator-egress-proxy.orchestrator-system.svc:3128', c.name);
  }
  const tessPod = podOf(attemptJob(input(taskRun({ agent: 'tess' }, on), 1, on)));
  t.equal(tessPod.metadata.labels['orchestrator.io/egress'], 'wide', 'a profile’s own allowlist');
  t.match(proxyOf(agentOf(tessPod.spec))[0].value, /:3129$/);
});

t.test('egress off: no label, no proxy variable', async (t) => {
  const pod = podOf(attemptJob(input(taskRun())));
  t.notOk('orchestrator.io/egress' in pod.metadata.labels);
  for (const c of containers(pod)) t.same(proxyOf(c), [], c.name);
});

t.test('a run’s proxy variables (stored without the webhooks) never reach the pod', async (t) => {
  const run = codeRun(
    {
      env: { HTTPS_PROXY: 'http://attacker:80', no_proxy: '*' },
      envFromSecrets: [{ name: 'HTTP_PROXY', secretName: 's', secretKey: 'k' }],
    },
    on,
  );
  const pod = podOf(attemptJob({ strategy: codeRunStrategy, run, config: on, attempt: 1 }));
  const env = agentOf(pod.spec).env as Json[];
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'no_proxy'])
    t.equal(env.filter((e) => e.name === name).length, 1, `${name} once`);
  t.notOk(JSON.stringify(env).includes('attacker'), 'not the run’s proxy');
  t.notOk(
    env.some((e) => e.valueFrom?.secretKeyRef?.name === 's'),
    'not a Secret’s',
  );
  t.notOk(
    env.some((e) => e.value === '*'),
    'not the run’s NO_PROXY',
  );
});
