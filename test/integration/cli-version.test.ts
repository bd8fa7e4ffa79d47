// `orchestrator version` against a real apiserver: the CLI's version, then the manager Deployment of
// config/manager as applied (its namespace, its image), found by the labels the kustomize base and the
// chart give it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { runCli } from '../harness/operator/cli.js';

const cluster = await testCluster();

t.test('the CLI version, then each manager Deployment with its image', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const deployment = parse(readFileSync(join(packageRoot(), 'config', 'manager', 'deployment.yaml'), 'utf8'));
  deployment.metadata.namespace = namespace;
  const applied = await kubectl(cluster, ['apply', '-f', '-'], JSON.stringify(deployment));
  t.equal(applied.code, 0, applied.stderr);
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
  const image = deployment.spec.template.spec.containers.find(
    (c: { name: string }) => c.name === 'manager',
  ).image;

  const res = await runCli(cluster, ['version']);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, new RegExp(`^Client Version: ${version}\\n`));
  t.match(
    res.stdout,
    new RegExp(`\\nManager: ${namespace}/orchestrator ${image.replaceAll('.', '\\.')} \\(\\d/2 ready\\)\\n`),
    'the Deployment applied, with its image and replicas',
  );
});

t.test('a cluster that does not answer: the client version, then why', async (t) => {
  const res = await runCli({ kubeconfig: '/nonexistent/kubeconfig' }, ['version']);
  t.equal(res.code, 1);
  t.match(res.stdout, /^Client Version: /);
  t.match(res.stderr, /^error: /);
});
