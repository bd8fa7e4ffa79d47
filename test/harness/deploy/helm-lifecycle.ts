// The Helm release's whole life on a cluster whose node pulls from the local registry: install from
// the release published there (release.ts) with docs/install.md's command, a run admitted through the
// release's webhooks and one taken to its pull request by an agent pulled from the registry, every
// image seen pulled (not found on the node), an upgrade whose chart changes a CRD (which `helm upgrade`
// applies, as the CRDs are templates), and an uninstall that leaves nothing but the CRDs (kept on
// purpose, docs/helm.md). The in-cluster suite runs it after removing its kustomize install.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import type { ControllerConfig } from '../../../src/api/index.js';
import type { Cluster } from '../../../src/cluster/index.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { kubectl, testNamespace } from '../cluster/cluster.js';
import { scaled } from '../util/wait.js';
import { editedChart, helm, RELEASE } from './helm.js';
import {
  dryRunCreate,
  GATEWAY_CLUSTER_IP,
  kubectlOk,
  SYSTEM_NAMESPACE,
  untilAdmitting,
  untilReplicasReady,
} from './in-cluster.js';
import { parseObjects } from './kustomize.js';
import { documentedInstall, type Published } from './release.js';

export interface HelmLifecycle {
  cluster: Cluster;
  client: KubeClient;
  /** A folder for the values file. */
  work: string;
  /** The release in the registry, which the node pulls from. */
  release: Published;
  /** The install's config: the suite's agents (their image the user's, in the registry) and hosts. */
  config: ControllerConfig;
  /** A run by name, admitted by the release's webhooks when they serve. */
  probe: (name: string) => KubeObject;
  /**
   * Installs the release from the registry with the test's `values` file, its model key too:
   * docs/first-run.md's install, whose commands begin with docs/install.md's.
   */
  install: (values: string) => Promise<void>;
  /** What the installed release is asked to do before its upgrade (a run to its pull request). */
  installed: () => Promise<void>;
  /** The images that must have been pulled from the registry by then, each by some pod. */
  pulled: string[];
}

export async function helmLifecycle(t: Test, w: HelmLifecycle): Promise<void> {
  const { cluster, client, work, config } = w;
  const h = await helm();
  const values = join(work, 'values.yaml');
  // No image and no certificate values: the release's own image names, the operator's own certificate.
  // The gateway's Service at a fixed address, which the agents call: the real node has no cluster DNS.
  writeFileSync(values, stringify({ config, gateway: { clusterIP: GATEWAY_CLUSTER_IP } }));
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
  const documented = documentedInstall();
  t.equal(documented.version, w.release.version, "the doc installs the release's version");
  t.equal(documented.namespace, RELEASE.namespace, "the doc installs into the operator's namespace");
  // `kubectl delete -k` took the namespace with it, which the install creates.
  await w.install(values);
  const ns = await testNamespace(t, cluster);
  await untilAdmitting(client, ns, w.probe('probe'), 'a run admitted through the Helm release');
  await untilReplicasReady(client, 2);
  // The image the pods run is the index pushed to the local registry, not one from elsewhere (the
  // mirror falls back to ghcr.io itself, which a machine with internet could reach).
  const pods = await client.request<{ items: KubeObject[] }>(
    'GET',
    `/api/v1/namespaces/${RELEASE.namespace}/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dmanager`,
  );
  const imageIds = pods.items.map(
    (p) => (p.status as { containerStatuses?: { imageID?: string }[] }).containerStatuses?.[0]?.imageID,
  );
  t.same(
    imageIds,
    imageIds.map(
      () =>
        `${w.release.images.operator.host}/${w.release.images.operator.path}@${w.release.digests.operator}`,
    ),
    "the manager pods run the operator's index as pushed",
  );
  await selfManagedCertificate(t, cluster);
  await w.installed();
  t.same(await pulledImages(client, w.pulled), w.pulled, 'every image was pulled from the registry');
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

/** Of these images, those a kubelet pulled (its `Pulled` event says so, not "already present"). */
async function pulledImages(client: KubeClient, images: string[]): Promise<string[]> {
  const events = await client.request<{ items: { message?: string }[] }>(
    'GET',
    '/api/v1/events?fieldSelector=reason%3DPulled',
  );
  const pulled = new Set(
    events.items.flatMap((e) => /^Successfully pulled image "([^"]+)"/.exec(e.message ?? '')?.[1] ?? []),
  );
  return images.filter((i) => pulled.has(i));
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
