// The chart's values.yaml and values.schema.json. One table says each value's default, its schema and
// what it stands for in the kustomize install; defaults of values that set a field of an object are
// read from config/ by chart.js, so values.yaml never restates the Deployment.
import YAML from 'yaml';

const DNS_LABEL = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
const NAMESPACES = { type: 'array', items: DNS_LABEL, uniqueItems: true };
const FLAG = { type: 'boolean' };
const DNS_SUBDOMAIN = {
  type: 'string',
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  maxLength: 253,
};

/**
 * The values: default (undefined: read from config/), schema, and the comment in values.yaml.
 * @type {{ key: string, default?: unknown, schema: Record<string, any>, doc: string }[]}
 */
const VALUES = [
  {
    key: 'image',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['repository', 'tag', 'pullPolicy'],
      properties: {
        repository: { type: 'string', minLength: 1 },
        tag: { type: 'string', minLength: 1 },
        pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
      },
    },
    doc: 'The manager image (kustomize: `images`).',
  },
  {
    key: 'replicas',
    schema: { type: 'integer', minimum: 1 },
    doc: 'Replicas of the Deployment: every one serves the webhooks, the Lease holder reconciles (kustomize: `replicas`).',
  },
  {
    key: 'resources',
    schema: { type: 'object' },
    doc: "The manager container's resources (kustomize: a patch of the Deployment).",
  },
  {
    key: 'logLevel',
    schema: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
    doc: 'The LOG_LEVEL of the manager (pino levels).',
  },
  {
    key: 'createNamespace',
    default: false,
    schema: FLAG,
    doc: 'Render the release namespace as a Namespace object, as config/default does. Off because `helm install -n NS --create-namespace` makes it.',
  },
  {
    key: 'config',
    default: {},
    schema: { type: 'object' },
    doc: 'Controller config fields (docs/configuration.md), merged over the shipped config/manager/controller-config.yaml. Empty: that file as it is. A team budget, summed from the model gateway\'s ledger when it is on (docs/economics.md): `config: {budgets: [{name: team-a, namespaces: [team-a], limitUsd: "500", window: month}]}`.',
  },
  {
    key: 'agents',
    default: {},
    schema: { type: 'object', additionalProperties: { type: 'object' } },
    doc: "Agent profiles (the config's `agents`), merged over the shipped ones by name: a new name adds a profile, a known one changes the fields given.",
  },
  {
    key: 'watchNamespaces',
    default: [],
    schema: NAMESPACES,
    doc: "Namespaces whose runs are reconciled (the config's watchNamespaces), with the manager's ClusterRole bound in each by a RoleBinding and no ClusterRoleBinding (kustomize: config/overlays/namespaces). Empty: every namespace.",
  },
  {
    key: 'agentSandbox',
    default: { namespaces: [], deniedEgress: [] },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        namespaces: NAMESPACES,
        deniedEgress: {
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', pattern: '^([0-9.]+/[0-9]{1,2}|[0-9A-Fa-f:]+/[0-9]{1,3})$' },
        },
      },
    },
    doc: "The agents' ServiceAccounts, Role and NetworkPolicies (config/agents) in each of these namespaces: where runs live. deniedEgress: CIDRs agents may not reach besides the shipped private ranges, e.g. the cluster's public apiserver endpoint (203.0.113.10/32; kustomize: config/overlays/agent-egress; docs/security.md).",
  },
  {
    key: 'gateway',
    default: { enabled: false, upstreamUrl: '' },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: FLAG,
        upstreamUrl: { type: 'string', pattern: '^(https?://[^\\s]+)?$' },
        apiKeySecret: DNS_SUBDOMAIN,
      },
    },
    doc: "The model gateway (docs/economics.md): enabled routes every agent through the operator's gateway Service (the config's gateway.enabled and gateway.url), which forwards to upstreamUrl (empty: the config's gateway.upstream.url) with the platform's key from the Secret apiKeySecret in the release's namespace (the config's gateway.upstream.apiKey.name; the manager may read that name only). Off: the agents get secrets.apiKey.",
  },
  {
    key: 'certManager',
    default: { enabled: false },
    schema: { type: 'object', additionalProperties: false, properties: { enabled: FLAG } },
    doc: 'Webhook TLS by cert-manager: a CA, the serving Certificate and caBundle injection (kustomize: config/cert-manager). Off: provide the Secret orchestrator-webhook-tls and webhook.caBundle yourself (docs/install.md).',
  },
  {
    key: 'webhook',
    default: { caBundle: '' },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { caBundle: { type: 'string', pattern: '^[A-Za-z0-9+/=]*$' } },
    },
    doc: "Your own certificate: the CA that signed the Secret orchestrator-webhook-tls, base64 PEM, written into every webhook's clientConfig (not with certManager.enabled).",
  },
  {
    key: 'prometheus',
    default: { serviceMonitor: false, prometheusRule: false },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { serviceMonitor: FLAG, prometheusRule: FLAG },
    },
    doc: "The Prometheus Operator's ServiceMonitor and the alerts' PrometheusRule (kustomize: config/prometheus; needs the Operator's CRDs).",
  },
  {
    key: 'grafana',
    default: { dashboard: false },
    schema: { type: 'object', additionalProperties: false, properties: { dashboard: FLAG } },
    doc: "The Grafana dashboard as a ConfigMap for Grafana's sidecar (kustomize: config/grafana).",
  },
];

/** Sets `dotted` (`image.tag`) in `target`. */
function setDotted(
  /** @type {Record<string, any>} */ target,
  /** @type {string} */ dotted,
  /** @type {unknown} */ value,
) {
  const keys = dotted.split('.');
  const last = /** @type {string} */ (keys.pop());
  let node = target;
  for (const k of keys) node = node[k] ??= {};
  node[last] = value;
}

/**
 * values.yaml, with a comment above each value.
 * @param {Record<string, unknown>} fromConfig defaults read from config/, by dotted key
 */
export function chartValues(fromConfig) {
  /** @type {Record<string, any>} */
  const values = {};
  for (const v of VALUES) if (v.default !== undefined) values[v.key] = structuredClone(v.default);
  for (const [key, value] of Object.entries(fromConfig)) setDotted(values, key, value);
  const missing = VALUES.filter((v) => values[v.key] === undefined).map((v) => v.key);
  if (missing.length > 0) throw new Error(`chart values without a default: ${missing.join(', ')}`);
  const doc = new YAML.Document(Object.fromEntries(VALUES.map((v) => [v.key, values[v.key]])));
  for (const pair of /** @type {YAML.YAMLMap} */ (doc.contents).items) {
    const key = String(/** @type {YAML.Scalar} */ (pair.key).value);
    /** @type {YAML.Scalar} */ (pair.key).commentBefore = ` ${VALUES.find((v) => v.key === key)?.doc}`;
  }
  doc.commentBefore = ' generated by npm run generate from scripts/chart/values.js and config/; do not edit';
  return doc.toString({ lineWidth: 0 });
}

/** values.schema.json: Helm checks the values against it before rendering, naming the field. */
export function valuesSchema() {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'orchestrator chart values',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(VALUES.map((v) => [v.key, { description: v.doc, ...v.schema }])),
  };
}
