// The other ways to get a cluster: envtest binaries (KUBEBUILDER_ASSETS) and `orchestrator cluster
// up|env|down` for manual use. The envtest layout is stood in for by the built control plane's own
// kube-apiserver and etcd commands, which take the same flags as envtest's binaries.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureDist } from '../../scripts/build.js';
import {
  clusterSource,
  controlPlaneBinary,
  existingCluster,
  obtainCluster,
} from '../../src/cluster/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { processesGone } from '../harness/cluster/processes.js';
import { scaled } from '../harness/util/wait.js';

const root = packageRoot();

t.test('KUBEBUILDER_ASSETS: the envtest binaries are started, used and stopped', async (t) => {
  const binary = await controlPlaneBinary();
  const assets = mkdtempSync(join(tmpdir(), 'envtest-assets-'));
  for (const name of ['etcd', 'kube-apiserver', 'kubectl']) {
    writeFileSync(join(assets, name), `#!/bin/sh\nexec "${binary}" ${name} "$@"\n`);
    chmodSync(join(assets, name), 0o755);
  }
  const env = { KUBEBUILDER_ASSETS: assets };
  t.equal(clusterSource(env), 'envtest');
  const dir = mkdtempSync(join(tmpdir(), 'envtest-run-'));
  const cluster = await obtainCluster({ dir }, env);
  t.teardown(() => cluster.stop());
  t.equal(cluster.kubectl[0], join(assets, 'kubectl'), 'the assets kubectl is used');
  const crds = await kubectl(cluster, ['apply', '--server-side', '-f', join(root, 'crds')]);
  t.equal(crds.code, 0, crds.stderr);
  const ns = await kubectl(cluster, ['get', 'namespace', 'default', '-o', 'name']);
  t.equal(ns.stdout.trim(), 'namespace/default');
  await cluster.stop();
  t.same(await processesGone(dir), [], 'etcd and kube-apiserver are gone');
});

t.test('USE_EXISTING_CLUSTER needs KUBECONFIG and is never stopped by us', async (t) => {
  await t.rejects(obtainCluster({}, { USE_EXISTING_CLUSTER: 'true' }), /needs KUBECONFIG/);
  const existing = await obtainCluster({}, { USE_EXISTING_CLUSTER: 'true', KUBECONFIG: '/some/kubeconfig' });
  t.same(existing.kubectl, ['kubectl', '--kubeconfig=/some/kubeconfig']);
});

t.test('orchestrator cluster up, env and down', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cluster-cli-')), 'state');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'bin', 'orchestrator.js'), 'cluster', ...args, '--dir', dir], {
      encoding: 'utf8',
      timeout: scaled(180_000),
    });
  t.teardown(() => cli('down'));
  t.ok(ensureDist(), 'dist is built');

  const up = cli('up');
  t.equal(up.status, 0, up.stderr);
  t.match(up.stdout, new RegExp(`export KUBECONFIG=${join(dir, 'kubeconfig')}`));
  t.match(up.stderr, /CRDs installed/);
  const again = cli('up');
  t.match(again.stdout, /already running/, 'up is idempotent');
  const env = cli('env');
  t.match(env.stdout, /^# kube-apiserver v1\.35\.\d+ at https:\/\/127\.0\.0\.1:\d+\nexport KUBECONFIG=/);
  const cluster = existingCluster(join(dir, 'kubeconfig'));
  const crd = await kubectl(cluster, ['get', 'crd', 'agenttaskruns.orchestrator.io', '-o', 'name']);
  t.equal(crd.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/agenttaskruns.orchestrator.io');

  const down = cli('down');
  t.equal(down.status, 0, down.stderr);
  t.match(down.stdout, /stopped/);
  t.same(await processesGone(dir), [], 'no process left');
  t.match(cli('env').stderr, /no local control plane is running/);
});
