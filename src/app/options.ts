// The run options: one object, built from the config file, then flags, then environment, and passed
// in. Nothing here is read at import time.
import { hostname } from 'node:os';
import type { ControllerConfig } from '../api/index.js';
import type { LeaderElectionConfig, ListenAddress } from '../runtime/index.js';
import { type InjectionTarget, injectionTarget } from '../webhook/index.js';
import { apiAddressSources, refuseSharedPorts } from './listeners.js';
import { type LocalModelKey, localModelKeySource } from './local-model-key.js';

export interface RunFlags {
  config?: string;
  templatesDir?: string;
  kubeconfig?: string;
  local?: boolean;
  certDir?: string;
  webhookCertSecret?: string;
  injectCa?: string[];
  webhookClientCaFile?: string;
  webhookPort?: string;
  metricsBindAddress?: string;
  metricsSecure?: boolean;
  healthProbeBindAddress?: string;
  apiBindAddress?: string;
  gatewayBindAddress?: string;
  leaderElect?: boolean;
  leaderElectionNamespace?: string;
  logLevel?: string;
  /** Milliseconds, parsed from `--shutdown-delay`. */
  shutdownDelay?: number;
}

export interface RunOptions {
  configFile: string;
  /** The environment whose seed variables override the config file (config/env-overrides.ts). */
  configEnv?: NodeJS.ProcessEnv;
  /** The run templates' directory. Undefined: the package's templates/. */
  templatesDir?: string;
  /** Undefined: the in-cluster service account, or the local control plane (see `local`). */
  kubeconfig?: string;
  /** Start the local control plane and install CRDs and webhooks into it. */
  local: boolean;
  /** tls.crt and tls.key; undefined in local mode (certificates are generated). */
  certDir?: string;
  /**
   * The serving certificate the operator issues and rotates itself into this Secret of its namespace,
   * and writes into certDir; its CA kept in the caBundle of `injectInto` (src/webhook/serving-certificate.ts).
   * Undefined: certDir holds a certificate made by others (cert-manager, the user), and in local mode.
   */
  selfManagedCertificate?: { secretName: string; injectInto: InjectionTarget[] };
  /**
   * The CAs of the apiserver's client certificate: set, the webhook refuses callers without one
   * (docs/security.md "Authenticating the apiserver"). Undefined: anyone who reaches it is answered.
   */
  webhookClientCAFile?: string;
  webhookPort: number;
  metrics: ListenAddress;
  /** HTTPS with every scrape authorised (`metrics.secure`, `--metrics-secure`); false: plain HTTP. */
  metricsSecure: boolean;
  probes: ListenAddress;
  /** The REST API's address, or false when it is off (`0`). */
  api: ListenAddress | false;
  /** The model gateway's (and the phases' token broker's) plain HTTP address (`gateway.bindAddress`). */
  gateway: ListenAddress;
  /**
   * Local mode: where the platform's model key comes from, to be stored in the Secret
   * `gateway.upstream.apiKey` names (local-model-key.ts); undefined: none given.
   */
  localModelKey?: LocalModelKey;
  /**
   * The operator's own namespace (POD_NAMESPACE, else the leader election's): where the GitHub Apps'
   * keys are read from (docs/design.md §4.8).
   */
  namespace: string;
  /** The manager's leader election (one options type: the runtime's), or false. */
  leaderElection: LeaderElectionConfig | false;
  logLevel: string;
  /**
   * After a stop signal, how long the webhook and REST servers go on answering (not ready, closing each
   * connection after its answer) before they close: the time a Service takes to stop routing to a
   * terminating pod (docs/design.md §9). 0 on a host process; the Deployment sets 5 s.
   */
  shutdownDelayMs: number;
}

/** `:8080` → all interfaces; `127.0.0.1:0` → loopback, any port. */
export function parseBindAddress(value: string, flag: string): ListenAddress {
  const match = /^(.*):(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new Error(`${flag}: "${value}" is not a bind address like ":8080" or "127.0.0.1:8080"`);
  }
  return { host: match[1] || '0.0.0.0', port };
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${flag}: "${value}" is not a port number`);
  return port;
}

const apiAddress = (value: string): ListenAddress | false =>
  value === '0' ? false : parseBindAddress(value, '--api-bind-address');

/** Local mode's model key source, when one is given (local-model-key.ts). */
function localKey(local: boolean, env: NodeJS.ProcessEnv): { localModelKey?: LocalModelKey } {
  const source = local ? localModelKeySource(env) : undefined;
  return source ? { localModelKey: source } : {};
}

/** The self-managed certificate's flags; --inject-ca alone is a mistake, not ignored. */
function selfManaged(local: boolean, flags: RunFlags): Pick<RunOptions, 'selfManagedCertificate'> {
  const injectInto = (flags.injectCa ?? []).map(injectionTarget);
  if (!flags.webhookCertSecret) {
    if (injectInto.length > 0) throw new Error('--inject-ca: only with --webhook-cert-secret');
    return {};
  }
  return local ? {} : { selfManagedCertificate: { secretName: flags.webhookCertSecret, injectInto } };
}

/** Whether a cluster is configured: a kubeconfig (flag or KUBECONFIG) or a pod's service account. */
export function clusterConfigured(flags: RunFlags, env: NodeJS.ProcessEnv): boolean {
  return Boolean(flags.kubeconfig || env.KUBECONFIG || env.KUBERNETES_SERVICE_HOST);
}

/** The options, refused when a flag and a seed variable meet or two listeners would share a port. */
export function runOptions(
  config: ControllerConfig,
  configFile: string,
  flags: RunFlags,
  env: NodeJS.ProcessEnv,
): RunOptions {
  apiAddressSources(flags.apiBindAddress, env);
  const options = buildOptions(config, configFile, flags, env);
  refuseSharedPorts([
    {
      name: 'the webhook',
      sources: '--webhook-port, webhook.port',
      address: { host: '', port: options.webhookPort },
    },
    { name: 'the metrics', sources: '--metrics-bind-address, metrics.bindAddress', address: options.metrics },
    {
      name: 'the probes',
      sources: '--health-probe-bind-address, health.bindAddress',
      address: options.probes,
    },
    ...(options.api
      ? [
          {
            name: 'the REST API',
            sources: '--api-bind-address, SERVER_HOST, SERVER_PORT, api.bindAddress',
            address: options.api,
          },
        ]
      : []),
    // It listens when the model gateway is on or an App's tokens are brokered (src/app/gateway.ts).
    {
      name: 'the model gateway',
      sources: '--gateway-bind-address, gateway.bindAddress',
      address: options.gateway,
    },
  ]);
  return options;
}

function buildOptions(
  config: ControllerConfig,
  configFile: string,
  flags: RunFlags,
  env: NodeJS.ProcessEnv,
): RunOptions {
  const local = flags.local ?? !clusterConfigured(flags, env);
  const le = config.leaderElection;
  const enabled = flags.leaderElect ?? le.enabled;
  return {
    configFile,
    configEnv: env,
    templatesDir: flags.templatesDir ?? env.ORCHESTRATOR_TEMPLATES,
    kubeconfig: flags.kubeconfig ?? env.KUBECONFIG,
    local,
    certDir: local ? undefined : (flags.certDir ?? config.webhook.certDir),
    ...selfManaged(local, flags),
    // The local control plane's apiserver presents no client certificate to webhooks.
    webhookClientCAFile: local ? undefined : (flags.webhookClientCaFile ?? config.webhook.clientCAFile),
    webhookPort: parsePort(flags.webhookPort ?? String(config.webhook.port), '--webhook-port'),
    metrics: parseBindAddress(
      flags.metricsBindAddress ?? config.metrics.bindAddress,
      '--metrics-bind-address',
    ),
    metricsSecure: flags.metricsSecure ?? config.metrics.secure,
    probes: parseBindAddress(
      flags.healthProbeBindAddress ?? config.health.bindAddress,
      '--health-probe-bind-address',
    ),
    api: apiAddress(flags.apiBindAddress ?? config.api.bindAddress),
    gateway: parseBindAddress(
      flags.gatewayBindAddress ?? config.gateway.bindAddress,
      '--gateway-bind-address',
    ),
    ...localKey(local, env),
    namespace: env.POD_NAMESPACE ?? flags.leaderElectionNamespace ?? le.namespace ?? 'orchestrator-system',
    leaderElection: enabled && {
      namespace: flags.leaderElectionNamespace ?? env.POD_NAMESPACE ?? le.namespace ?? 'orchestrator-system',
      name: le.leaseName,
      identity: `${env.POD_NAME ?? hostname()}_${Math.random().toString(16).slice(2, 10)}`,
      leaseDurationMs: le.leaseDurationSeconds * 1000,
      renewDeadlineMs: le.renewDeadlineSeconds * 1000,
      retryPeriodMs: le.retryPeriodSeconds * 1000,
    },
    logLevel: flags.logLevel ?? env.LOG_LEVEL ?? 'info',
    shutdownDelayMs: flags.shutdownDelay ?? 0,
  };
}
