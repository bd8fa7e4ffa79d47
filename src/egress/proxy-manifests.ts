// The egress proxy's objects, rendered from the controller config's egress section: the ConfigMap of
// its squid.conf, a Deployment of Squid (images/egress-proxy) that rolls when the config changes, the
// Service with one port per allowlist, and a NetworkPolicy that lets only agent pods reach them. Shared by every run namespace: the pods' NetworkPolicies
// name its pods in egress.proxy.namespace.
import { createHash } from 'node:crypto';
import { type ControllerConfig, LABELS, MANAGED_BY } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import type { Egress } from './allowlists.js';
import { ACCESS_LOG, squidConfig } from './squid-config.js';

/** The labels of the proxy's pods (the Service's selector, and the agents' NetworkPolicy peer). */
export const proxyPodLabels = ({ proxy }: Egress): Record<string, string> => ({
  'app.kubernetes.io/name': proxy.name,
  'app.kubernetes.io/component': 'egress-proxy',
});

/** The name of the proxy container, and of the one printing its access log. */
export const PROXY_CONTAINER = 'squid';
export const ACCESS_LOG_CONTAINER = 'access-log';
/** Debian's `proxy` user, whom the image runs as. */
const PROXY_USER = 13;
const CONFIG_KEY = 'squid.conf';
const LOG_DIR = ACCESS_LOG.slice(0, ACCESS_LOG.lastIndexOf('/'));

const security = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const ports = (egress: Egress) =>
  Object.values(egress.allowlists)
    .map((a) => a.port)
    .sort((a, b) => a - b);

export function proxyObjects(config: ControllerConfig): KubeObject[] {
  const egress = config.egress;
  const { name, namespace } = egress.proxy;
  const labels = proxyPodLabels(egress);
  const conf = squidConfig(config);
  const hash = createHash('sha256').update(conf).digest('hex').slice(0, 16);
  const mounts = [
    { name: 'config', mountPath: `/etc/squid/${CONFIG_KEY}`, subPath: CONFIG_KEY, readOnly: true },
    { name: 'logs', mountPath: LOG_DIR },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels },
    data: { [CONFIG_KEY]: conf },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: egress.proxy.replicas,
      selector: { matchLabels: labels },
      template: {
        // The config's hash: a new allowlist rolls the pods (Squid reads its config at start).
        metadata: { labels, annotations: { 'orchestrator.io/squid-config': hash } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: PROXY_USER,
            runAsGroup: PROXY_USER,
            fsGroup: PROXY_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: PROXY_CONTAINER,
              image: egress.proxy.image,
              ports: ports(egress).map((port) => ({ containerPort: port, protocol: 'TCP' })),
              readinessProbe: { tcpSocket: { port: ports(egress)[0] }, periodSeconds: 5 },
              securityContext: security,
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } },
              volumeMounts: mounts,
            },
            {
              // The refused and allowed requests, one line each, for kubectl logs.
              name: ACCESS_LOG_CONTAINER,
              image: egress.proxy.image,
              command: ['tail', '-n', '+1', '-F', ACCESS_LOG],
              securityContext: security,
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
              volumeMounts: [{ name: 'logs', mountPath: LOG_DIR, readOnly: true }],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name } },
            { name: 'logs', emptyDir: { sizeLimit: '1Gi' } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: {
      selector: labels,
      ports: ports(egress).map((port) => ({ name: `p${port}`, port, targetPort: port, protocol: 'TCP' })),
    },
  };
  // Only agent pods with egress on may use it: another workload of the cluster borrowing an allowlist
  // would leave no trace of whose request it was.
  const networkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {},
              podSelector: {
                matchLabels: { [LABELS.managedBy]: MANAGED_BY },
                matchExpressions: [{ key: LABELS.egress, operator: 'Exists' }],
              },
            },
          ],
          ports: ports(egress).map((port) => ({ port, protocol: 'TCP' })),
        },
      ],
    },
  };
  return [configMap, deployment, service, networkPolicy];
}
