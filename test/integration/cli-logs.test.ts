// `orchestrator logs` on the local cluster: it finds the run's Job and the pod the Job made, asks the
// real apiserver for the agent's log, and, since the local cluster's nodes are simulated (no kubelet
// answers the apiserver), says so. The answers the unit tests replay (test/fixtures/pod-logs) are
// checked against what this apiserver answers now (RECORD_FIXTURES=1 records them again). And the CLI
// runs as a kubectl plugin: `kubectl orchestrator --help` through kubectl's own plugin lookup.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import t, { type Test } from 'tap';
import { ensureDist, root } from '../../scripts/build.js';
import { NO_KUBELET, unreachableKubelet } from '../../src/cli/log-errors.js';
import { clusterSource } from '../../src/cluster/index.js';
import { ApiError, type KubeObject } from '../../src/runtime/index.js';
import { kubeConfig } from '../harness/cluster/cluster.js';
import { runCli } from '../harness/operator/cli.js';
import { sampleTaskRun, taskRunPath } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import {
  type RecordedAnswer,
  readAnswer,
  recordAnswer,
  writeAnswer,
} from '../harness/remote/recorded-answers.js';
import { scaled, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

t.test('kubectl finds the plugin: `kubectl orchestrator --help`', async (t) => {
  t.ok(ensureDist(), 'dist is built');
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-plugin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // As `npm install -g` installs it: a link named kubectl-orchestrator on the PATH.
  symlinkSync(join(root, 'bin', 'orchestrator.js'), join(dir, 'kubectl-orchestrator'));
  // kubectl takes no flag before a plugin's name: the cluster's --kubeconfig goes by environment.
  const [cmd, ...prefix] = cluster.kubectl.filter((a) => !a.startsWith('--kubeconfig'));
  const res = spawnSync(cmd as string, [...prefix, 'orchestrator', '--help'], {
    encoding: 'utf8',
    // As a user's shell runs it: without the test runner's TypeScript loaders.
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      KUBECONFIG: cluster.kubeconfig,
      PATH: `${dir}${delimiter}${process.env.PATH}`,
    },
    timeout: scaled(60_000),
  });
  t.equal(res.status, 0, res.stderr);
  t.match(res.stdout, /Usage: kubectl orchestrator/);
  t.match(res.stdout, /logs .*agent container's log/);
});

if (clusterSource() !== 'local') {
  t.comment("the no-kubelet answer is the local cluster's (KWOK): the log tests are not part of this run");
  process.exit(0);
}

/** The live answer has the recorded one's shape: status, content type, Status reason, and the kubelet case. */
function sameShape(t: Test, live: RecordedAnswer, recorded: RecordedAnswer): void {
  t.equal(live.status, recorded.status, `${recorded.request}: status`);
  t.equal(live.contentType, recorded.contentType);
  const reason = (a: RecordedAnswer) => (JSON.parse(a.chunks.join('')) as { reason?: string }).reason;
  t.equal(reason(live), reason(recorded));
  const asError = (a: RecordedAnswer) => new ApiError(a.status, '', '', JSON.parse(a.chunks.join('')));
  t.equal(!!unreachableKubelet(asError(live)), !!unreachableKubelet(asError(recorded)), 'the kubelet case');
}

t.test("logs finds the run's pod and says the local cluster has no kubelet", async (t) => {
  const { namespace, client } = await suite.start(t);
  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-logs', 41) });
  // The test config holds agents running (sim delay 24h): status names the pod once the agent runs.
  const run = await waitFor('the agent running', async (note) => {
    const r = await client.request<KubeObject>('GET', taskRunPath(namespace, 'pay-logs'));
    note(r.status);
    return (r.status as { phase?: string } | undefined)?.phase === 'Running' ? r : undefined;
  });
  const { podName, jobName } = run.status as { podName: string; jobName: string };

  const res = await runCli(cluster, ['logs', 'otr', 'pay-logs'], { namespace });
  t.equal(res.code, 1);
  t.match(res.stderr, `no logs for pod ${podName}: ${NO_KUBELET}`);
  const init = await runCli(cluster, ['logs', 'taskrun/pay-logs', '--init', '-f'], { namespace });
  t.equal(init.code, 1, '-f does not wait for a kubelet that does not exist');
  t.match(init.stderr, NO_KUBELET);

  const missing = await runCli(cluster, ['logs', 'otr', 'nope'], { namespace });
  t.match(missing.stderr, `taskrun "nope" not found in namespace "${namespace}"`);
  const later = await runCli(cluster, ['logs', 'otr', 'pay-logs', '--attempt', '2'], { namespace });
  t.match(later.stderr, 'taskrun pay-logs is at attempt 1: it has no attempt 2');
  t.match(
    (await runCli(cluster, ['logs', 'otr', 'pay-logs', '--attempt', 'x'], { namespace })).stderr,
    '--attempt: "x"',
  );

  // The recorded answers the unit tests replay are what this apiserver says.
  const kc = kubeConfig(cluster);
  const log = (pod: string) => `/api/v1/namespaces/${namespace}/pods/${pod}/log?container=agent&follow=true`;
  const live = {
    'no-kubelet': await recordAnswer(kc, log(podName)),
    'pod-not-found': await recordAnswer(kc, log('gone')),
  };
  for (const [name, answer] of Object.entries(live)) {
    if (process.env.RECORD_FIXTURES === '1') writeAnswer(name, answer);
    sameShape(t, answer, readAnswer(name));
  }
  t.ok(jobName, 'status names the Job');
});
