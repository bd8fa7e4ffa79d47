// The chart's values as kustomize would do the same (docs/install.md's mapping of values to
// kustomize): helm-chart.test.ts holds the chart to the overlay these write, object for object.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { appKeySecrets, appKeysRole } from '../../../scripts/generate-app-keys-role.js';
import type { Cluster } from '../../../src/cluster/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { RELEASE } from './helm.js';
import { kustomize, one } from './kustomize.js';

const root = packageRoot();

// biome-ignore lint/suspicious/noExplicitAny: chart values and objects are free-form YAML
export type Values = Record<string, any>;

/** Maps merged over maps, as the chart merges values over the shipped config (lists are replaced). */
export function merge(base: Values, over: Values): Values {
  const out = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object' ? merge(base[k], v) : v;
  return out;
}

/**
 * A kustomization written to a new folder under the test's work folder (with extra files beside it);
 * kustomize takes no absolute path, so resources and components are made relative to the folder.
 */
export function kustomization(
  work: string,
  name: string,
  k: Values,
  files: Record<string, string> = {},
): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const near = (paths: string[] = []) => paths.map((p) => relative(dir, p));
  const body = {
    ...k,
    resources: near(k.resources),
    ...(k.components ? { components: near(k.components) } : {}),
  };
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...body }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** A JSON patch op that sets `path` to `value`, or removes what is there when the value is empty. */
const setOrRemove = (path: string, value: unknown): Values =>
  value && (Array.isArray(value) ? value.length : Object.keys(value).length)
    ? { op: 'add', path, value }
    : { op: 'remove', path };

/** The JSON patch ops that set the manager's pod and container fields as the values do. */
function managerPatch(base: KubeObject[], values: Values): Values[] {
  const containers = (one(base, 'Deployment', 'orchestrator').spec as Values).template.spec
    .containers as Values[];
  const c = containers.findIndex((x) => x.name === 'manager');
  const env = ((containers[c]?.env ?? []) as Values[]).findIndex((e) => e.name === 'LOG_LEVEL');
  const pod = '/spec/template/spec';
  const at = `${pod}/containers/${c}`;
  const each = (path: string, list: unknown[]) => list.map((value) => ({ op: 'add', path, value }));
  return [
    { op: 'replace', path: `${at}/imagePullPolicy`, value: values.image.pullPolicy },
    { op: 'replace', path: `${at}/resources`, value: values.resources },
    { op: 'replace', path: `${at}/env/${env}/value`, value: values.logLevel },
    ...each(`${at}/args/-`, values.extraArgs),
    ...each(`${at}/env/-`, values.extraEnv),
    ...each(`${at}/volumeMounts/-`, values.extraVolumeMounts),
    ...each(`${pod}/volumes/-`, values.extraVolumes),
    { op: 'add', path: '/spec/template/metadata/annotations', value: values.podAnnotations },
    ...Object.entries(values.podLabels).map(([k, v]) => ({
      op: 'add',
      path: `/spec/template/metadata/labels/${k.replaceAll('/', '~1')}`,
      value: v,
    })),
    { op: 'add', path: `${pod}/priorityClassName`, value: values.priorityClassName },
    {
      op: 'add',
      path: `${pod}/imagePullSecrets`,
      value: [...values.global.imagePullSecrets, ...values.imagePullSecrets],
    },
    { op: 'add', path: `${pod}/nodeSelector`, value: values.nodeSelector },
    { op: 'add', path: `${pod}/tolerations`, value: values.tolerations },
    setOrRemove(`${pod}/affinity`, values.affinity),
    setOrRemove(`${pod}/topologySpreadConstraints`, values.topologySpreadConstraints),
    { op: 'replace', path: `${pod}/securityContext`, value: values.podSecurityContext },
    { op: 'replace', path: `${at}/securityContext`, value: values.securityContext },
  ];
}

/** The ServiceMonitor's labels, interval, scrape timeout and relabelings, as the values give them. */
function serviceMonitorPatch(values: Values): Values[] {
  const sm = values.prometheus.serviceMonitor;
  if (!sm.enabled) return [];
  const endpoint = '/spec/endpoints/0';
  return [
    {
      target: { kind: 'ServiceMonitor', name: 'orchestrator' },
      patch: JSON.stringify([
        ...Object.entries(sm.labels as Record<string, string>).map(([k, v]) => ({
          op: 'add',
          path: `/metadata/labels/${k.replaceAll('/', '~1')}`,
          value: v,
        })),
        { op: 'replace', path: `${endpoint}/interval`, value: sm.interval },
        ...(sm.scrapeTimeout
          ? [{ op: 'add', path: `${endpoint}/scrapeTimeout`, value: sm.scrapeTimeout }]
          : []),
        ...(sm.relabelings.length
          ? [{ op: 'add', path: `${endpoint}/relabelings`, value: sm.relabelings }]
          : []),
        ...(sm.metricRelabelings.length
          ? [{ op: 'add', path: `${endpoint}/metricRelabelings`, value: sm.metricRelabelings }]
          : []),
      ]),
    },
  ];
}

/** Each webhook's timeoutSeconds as webhook.timeoutSeconds gives it. */
function webhookTimeoutPatches(base: KubeObject[], values: Values): Values[] {
  return base
    .filter((o) => /WebhookConfiguration$/.test(o.kind ?? ''))
    .map((o) => ({
      target: { kind: o.kind, name: o.metadata?.name },
      patch: JSON.stringify(
        ((o as Values).webhooks as unknown[]).map((_, i) => ({
          op: 'replace',
          path: `/webhooks/${i}/timeoutSeconds`,
          value: values.webhook.timeoutSeconds,
        })),
      ),
    }));
}

/**
 * The Role on the key Secrets of the Apps the config names, as `npm run generate` writes it into
 * config/rbac from your config (scripts/generate-app-keys-role.js), with config/rbac's labels. None
 * when the config names no App: the shipped config names none, so the base has no such Role.
 */
function appKeys(work: string, configText: string): string[] {
  if (appKeySecrets(configText).length === 0) return [];
  return [
    kustomization(
      work,
      'app-keys',
      {
        resources: [join(work, 'app-keys', 'github-app-keys-role.yaml')],
        labels: [
          {
            pairs: { 'app.kubernetes.io/name': 'orchestrator', 'app.kubernetes.io/part-of': 'orchestrator' },
          },
        ],
      },
      { 'github-app-keys-role.yaml': appKeysRole(configText, 'the Apps of the chart values') },
    ),
  ];
}

/**
 * The GitHub webhook's ways in as a user's overlay sets them over config/github-webhook's Components:
 * the host, class, certificate and more annotations of the Ingress; the Gateways and host of the
 * HTTPRoute, the CA ConfigMap of its BackendTLSPolicy (the values' githubWebhook).
 */
function githubWebhookPatches(values: Values): Values[] {
  const { ingress, httpRoute } = values.githubWebhook;
  const patch = (kind: string, name: string, ops: Values[]) => ({
    target: { kind, name },
    patch: JSON.stringify(ops),
  });
  return [
    ...(ingress.enabled
      ? [
          patch('Ingress', 'orchestrator-github-webhook', [
            { op: 'replace', path: '/spec/ingressClassName', value: ingress.className },
            { op: 'replace', path: '/spec/tls/0/hosts/0', value: ingress.host },
            { op: 'replace', path: '/spec/tls/0/secretName', value: ingress.tlsSecretName },
            { op: 'replace', path: '/spec/rules/0/host', value: ingress.host },
            ...Object.entries(ingress.annotations).map(([k, v]) => ({
              op: 'add',
              path: `/metadata/annotations/${k.replaceAll('/', '~1')}`,
              value: v,
            })),
          ]),
        ]
      : []),
    ...(httpRoute.enabled
      ? [
          patch('HTTPRoute', 'orchestrator-github-webhook', [
            { op: 'replace', path: '/spec/parentRefs', value: httpRoute.parentRefs },
            { op: 'replace', path: '/spec/hostnames', value: [httpRoute.host] },
          ]),
          patch('BackendTLSPolicy', 'orchestrator-api', [
            {
              op: 'replace',
              path: '/spec/validation/caCertificateRefs/0/name',
              value: httpRoute.caConfigMap,
            },
          ]),
        ]
      : []),
  ];
}

/**
 * The kustomize overlay that makes what the chart makes with `values` (every value set): the values ↔
 * kustomize mapping of docs/install.md. `configText` is the controller config the chart rendered.
 */
export async function overlayFor(
  cluster: Cluster,
  work: string,
  values: Values,
  configText: string,
): Promise<string> {
  const base = await kustomize(cluster, join(root, 'config', 'default'));
  // deniedEgress as config/overlays/agent-egress adds it: one op per CIDR, IPv6 in the ::/0 block.
  const denied = ((values.agentSandbox.deniedEgress ?? []) as string[]).map((cidr) => ({
    op: 'add',
    path: `/spec/egress/1/to/${cidr.includes(':') ? 1 : 0}/ipBlock/except/-`,
    value: cidr,
  }));
  const sandboxes = (values.agentSandbox.namespaces as string[]).map((ns) =>
    kustomization(work, `sandbox-${ns}`, {
      namespace: ns,
      resources: [join(root, 'config', 'agents')],
      ...(denied.length
        ? {
            patches: [
              {
                target: { kind: 'NetworkPolicy', name: 'orchestrator-agent' },
                patch: JSON.stringify(denied),
              },
            ],
          }
        : {}),
    }),
  );
  const { ingress, httpRoute } = values.githubWebhook;
  const components = [
    values.certManager.enabled && 'cert-manager',
    !values.certManager.enabled && !values.webhook.caBundle && 'self-managed-certificate',
    values.prometheus.serviceMonitor.enabled && values.prometheus.prometheusRule && 'prometheus',
    values.grafana.dashboard && 'grafana',
    ingress.enabled && 'github-webhook/ingress',
    httpRoute.enabled && 'github-webhook/gateway-api',
  ].filter(Boolean);
  return kustomization(
    work,
    'full',
    {
      resources: [
        join(root, 'config', values.watchNamespaces.length ? 'overlays/namespaces' : 'default'),
        ...sandboxes,
        ...appKeys(work, configText),
      ],
      components: components.map((c) => join(root, 'config', c as string)),
      images: [
        {
          name: 'ghcr.io/5dlabs/orchestrator',
          newName: `${values.image.registry}/${values.image.repository}`,
          newTag: values.image.tag,
        },
      ],
      replicas: [{ name: 'orchestrator', count: values.replicas }],
      configMapGenerator: [
        {
          name: 'orchestrator-config',
          namespace: RELEASE.namespace,
          behavior: 'replace',
          files: ['controller-config.yaml'],
        },
      ],
      patches: [
        {
          target: { kind: 'Deployment', name: 'orchestrator' },
          patch: JSON.stringify(managerPatch(base, values)),
        },
        // The webhook port admitted only from connections.trustedSources, a bare address as its /32 or /128.
        {
          target: { kind: 'NetworkPolicy', name: 'orchestrator' },
          patch: JSON.stringify([
            {
              op: 'add',
              path: '/spec/ingress/1/from',
              value: ((values.config.connections?.trustedSources ?? []) as string[]).map((a) => ({
                ipBlock: { cidr: a.includes('/') ? a : `${a}/${a.includes(':') ? 128 : 32}` },
              })),
            },
          ]),
        },
        // The platform's model key, read by the name gateway.apiKeySecret gives it (config/rbac/gateway-role.yaml).
        {
          target: { kind: 'Role', name: 'orchestrator-gateway' },
          patch: JSON.stringify([
            { op: 'replace', path: '/rules/0/resourceNames/0', value: values.gateway.apiKeySecret },
          ]),
        },
        {
          target: { kind: 'ServiceAccount', name: 'orchestrator' },
          patch: JSON.stringify([
            { op: 'add', path: '/metadata/annotations', value: values.serviceAccount.annotations },
          ]),
        },
        {
          target: { kind: 'PodDisruptionBudget', name: 'orchestrator' },
          patch: JSON.stringify([
            { op: 'remove', path: '/spec/minAvailable' },
            { op: 'add', path: '/spec/maxUnavailable', value: values.podDisruptionBudget.maxUnavailable },
          ]),
        },
        ...githubWebhookPatches(values),
        ...serviceMonitorPatch(values),
        ...webhookTimeoutPatches(base, values),
        // The metrics port's sources (the third ingress rule) and more egress.
        {
          target: { kind: 'NetworkPolicy', name: 'orchestrator' },
          patch: JSON.stringify([
            { op: 'replace', path: '/spec/ingress/2/from', value: values.networkPolicy.metricsFrom },
            ...values.networkPolicy.extraEgress.map((value: unknown) => ({
              op: 'add',
              path: '/spec/egress/-',
              value,
            })),
          ]),
        },
      ],
    },
    { 'controller-config.yaml': configText },
  );
}
