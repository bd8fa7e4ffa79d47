// The Helm release's whole life on a cluster that runs the operator's image: install, a run admitted
// through the release's webhooks, an upgrade whose chart changes a CRD (which `helm upgrade` applies,
// as the CRDs are templates), and an uninstall that leaves nothing but the CRDs (kept on purpose,
// docs/helm.md). The in-cluster suite runs it after removing its kustomize install.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import type { ControllerConfig } from '../../../src/api/index.js';
import type { Cluster, LocalImage } from '../../../src/cluster/index.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { kubectl, testNamespace } from '../cluster/cluster.js';
import { scaled } from '../util/wait.js';
import { CHART, editedChart, helm, RELEASE } from './helm.js';
import {
  dryRunCreate,
  kubectlOk,
  SYSTEM_NAMESPACE,
  untilAdmitting,
  untilReplicasReady,
} from './in-cluster.js';
import { parseObjects } from './kustomize.js';

export interface HelmLifecycle {
  cluster: Cluster;
  client: KubeClient;
  /** A folder for the values file. */
  work: string;
  /** The operator's image, already on the node. */
  image: LocalImage;
  config: ControllerConfig;
  /** A run by name, admitted by the release's webhooks when they serve. */
  probe: (name: string) => KubeObject;
}

export async function helmLifecycle(t: Test, w: HelmLifecycle): Promise<void> {
  const { cluster, client, work, config } = w;
  const h = await helm();
  const [repository, tag] = w.image.name.split(':');
  const values = join(work, 'values.yaml');
  writeFileSync(
    values,
    // No certificate values: the chart's default, the operator's own certificate.
    stringify({ image: { registry: '', repository, tag }, config }),
  );
  const at = ['--kubeconfig', cluster.kubeconfig, '-n', RELEASE.namespace];
  const release = [...at, '-f', values, '--wait', `--timeout=${scaled(600)}s`];
  // The next version of the chart changes a CRD (a printer column), which `helm upgrade` applies:
  // the CRDs are templates, not crds/ (which helm reads at install only).
  const next = editedChart((dir) => {
    const crd = join(dir, 'templates', 'crds', 'agenttaskruns.orchestrator.io.yaml');
    const text = readFileSync(crd, 'utf8');
    const column = `      additionalPrinterColumns:\n        - { name: Upgraded, type: string, jsonPath: .metadata.uid, priority: 1 }\n`;
    writeFileSync(crd, text.replace('      additionalPrinterColumns:\n', column));
  });
  // The chart as it is, as docs/helm.md installs it (`kubectl delete -k` took the namespace with it).
  const installed = await h.run(['install', RELEASE.name, CHART, ...release, '--create-namespace']);
  t.equal(installed.code, 0, installed.stderr);
  const ns = await testNamespace(t, cluster);
  await untilAdmitting(client, ns, w.probe('probe'), 'a run admitted through the Helm release');
  await untilReplicasReady(client, 2);
  await selfManagedCertificate(t, cluster);
  // `helm test`: doctor's webhook-call in a pod of the release, through the Service to a replica; its
  // pod exits 0 only with no error nor warning (--fail-on=warning), and is deleted once it passed.
  const tested = await h.run(['test', RELEASE.name, ...at, `--timeout=${scaled(300)}s`]);
  t.equal(tested.code, 0, `helm test: ${tested.stdout}${tested.stderr}`);
  t.match(
    tested.stdout,
    /TEST SUITE: +orchestrator-test-webhooks\n[\s\S]*?Phase: +Succeeded/,
    'the test pod passed',
  );
  const upgraded = await h.run(['upgrade', RELEASE.name, next, ...release, '--set', 'logLevel=debug']);
  t.equal(upgraded.code, 0, upgraded.stderr);
  const crd = JSON.parse(
    (await kubectlOk(cluster, ['get', 'crd', 'agenttaskruns.orchestrator.io', '-o', 'json'])).stdout,
  );
  t.ok(
    crd.spec.versions[0].additionalPrinterColumns.some((c: { name: string }) => c.name === 'Upgraded'),
    "helm upgrade applied the next chart's CRD change",
  );
  await untilReplicasReady(client, 2);
  const deployment = JSON.parse(
    (await kubectlOk(cluster, ['-n', SYSTEM_NAMESPACE, 'get', 'deployment', 'orchestrator', '-o', 'json']))
      .stdout,
  );
  t.match(
    deployment.spec.template.spec.containers[0].env,
    [{}, {}, { name: 'LOG_LEVEL', value: 'debug' }],
    "the upgrade's value reached the pods' template",
  );
  t.equal(await dryRunCreate(client, ns, w.probe('after-upgrade')), undefined, 'admitted after the upgrade');
  const manifest = await h.run(['get', 'manifest', RELEASE.name, ...at]);
  const objects = parseObjects(manifest.stdout);
  const uninstalled = await h.run(['uninstall', RELEASE.name, ...at, '--wait', `--timeout=${scaled(300)}s`]);
  t.equal(uninstalled.code, 0, uninstalled.stderr);
  const left: string[] = [];
  for (const o of objects) {
    const ref = `${o.kind}/${o.metadata?.name}`;
    const got = await kubectl(cluster, ['get', ref, '-n', o.metadata?.namespace ?? RELEASE.namespace]);
    if (got.code === 0) left.push(ref);
  }
  const kept = objects
    .filter((o) => o.metadata?.annotations?.['helm.sh/resource-policy'] === 'keep')
    .map((o) => `${o.kind}/${o.metadata?.name}`);
  t.same(
    kept.sort(),
    ['agenttaskruns', 'coderuns', 'docsruns'].map((k) => `CustomResourceDefinition/${k}.orchestrator.io`),
    'the CRDs, and only they, are kept by helm uninstall',
  );
  t.same(left.sort(), kept, `none of the release's other ${objects.length - kept.length} objects is left`);
  const crds = await kubectl(cluster, ['get', 'crd', 'agenttaskruns.orchestrator.io']);
  t.equal(crds.code, 0, 'the CRDs stay (helm.sh/resource-policy: keep), as docs/helm.md says');
}

/**
 * The certificate the operator made for itself: its Secret marked so, and its CA the caBundle of every
 * webhook of the configurations its Deployment names (--inject-ca).
 */
async function selfManagedCertificate(t: Test, cluster: Cluster): Promise<void> {
  const json = async (args: string[]) =>
    JSON.parse((await kubectlOk(cluster, [...args, '-o', 'json'])).stdout);
  const secret = (await json([
    '-n',
    SYSTEM_NAMESPACE,
    'get',
    'secret',
    'orchestrator-webhook-tls',
  ])) as KubeObject & {
    data?: Record<string, string>;
  };
  t.equal(secret.metadata?.annotations?.['orchestrator.io/webhook-certificate'], 'self-managed');
  t.ok(secret.data?.['tls.crt'] && secret.data['tls.key'], 'the serving certificate is in the Secret');
  const deployment = await json(['-n', SYSTEM_NAMESPACE, 'get', 'deployment', 'orchestrator']);
  const targets = (deployment.spec.template.spec.containers[0].args as string[])
    .filter((a) => a.startsWith('--inject-ca='))
    .map((a) => a.slice('--inject-ca='.length));
  t.equal(targets.length, 2, 'both webhook configurations');
  for (const target of targets) {
    const config = (await json(['get', target])) as { webhooks: { clientConfig: { caBundle?: string } }[] };
    t.ok(
      config.webhooks.every((h) => h.clientConfig.caBundle === secret.data?.['ca.crt']),
      `${target}: every webhook trusts the operator's CA`,
    );
  }
}
