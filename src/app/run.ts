// `orchestrator run`: the webhook server and the manager in one process, as the Deployment runs them
// (every replica serves webhooks, metrics and probes; only the Lease holder reconciles).

import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { Registry } from 'prom-client';
import { referenceReviewer } from '../admission/reference-review.js';
import { REFERENCE_REVIEW_TIMEOUT_MS } from '../admission/references/index.js';
import { namespaceScope } from '../config/namespace-scope.js';
import { runControllers } from '../controllers/run-controllers.js';
import { networkPolicyEnforcement } from '../egress/index.js';
import { AppKeys, githubApiUrl, TokenBroker } from '../github/app-tokens/index.js';
import { CollaboratorPermissions, GithubPullRequestComments, GithubTaskMarkers } from '../github/index.js';
import { KubeConfig } from '../kubeconfig/kube-config.js';
import { apiCall } from '../observability/api-spans.js';
import { logDestination } from '../observability/log-destination.js';
import { withLogExport } from '../observability/log-export.js';
import { traceLogOptions } from '../observability/log-fields.js';
import { logExportSettings, tracingSettings } from '../observability/settings.js';
import { startTracing } from '../observability/tracing.js';
import type { ApiServer } from '../rest/server.js';
import { KubeClient, Manager } from '../runtime/index.js';
import { packageRoot } from '../util/package-root.js';
import { admissionRoutes } from '../webhook/handlers.js';
import { installLocalWebhooks } from '../webhook/install.js';
import { startWebhookServer } from '../webhook/server.js';
import { registerBuildInfo } from './build-info.js';
import { type ModelGateway, startModelGateway } from './gateway.js';
import { followWorkloads, type LocalEnvironment, startLocalEnvironment, workloadsBanner } from './local.js';
import type { RunOptions } from './options.js';
import { preflight } from './preflight.js';
import { connectionLimits, managerIdentity, startRestApi } from './rest-api.js';
import { metricsServing } from './secure-metrics.js';
import { logStartChecks } from './start-checks.js';
import { watchInputs } from './watched-inputs.js';

function kubeConfig(opts: RunOptions, local: LocalEnvironment | undefined): KubeConfig {
  const kc = new KubeConfig();
  const file = local?.cluster.kubeconfig ?? opts.kubeconfig;
  if (file) kc.loadFromFile(file);
  else kc.loadFromCluster();
  return kc;
}

/** How to scrape the metrics: HTTPS with a token allowed `get /metrics` (the local admin's), or plain. */
function metricsLines(port: number, secure: boolean): string[] {
  if (port === 0) return [];
  if (!secure) return [`Metrics (plain HTTP): curl http://127.0.0.1:${port}/metrics`];
  return [
    `Metrics (HTTPS; a token RBAC allows get /metrics, here the local admin's; docs/monitoring.md):`,
    `  curl -k -H "Authorization: Bearer $(kubectl config view --raw -o jsonpath='{.users[0].user.token}')" https://127.0.0.1:${port}/metrics`,
  ];
}

function banner(
  local: LocalEnvironment,
  webhookPort: number,
  apiPort: number | undefined,
  metrics: string[],
): string {
  const sample = join(packageRoot(), 'config', 'samples', 'taskrun.yaml');
  return [
    '',
    `orchestrator is running against the local control plane (webhooks on https://127.0.0.1:${webhookPort}).`,
    'In another shell:',
    `  export KUBECONFIG=${local.cluster.kubeconfig}`,
    `  kubectl apply -f ${sample}`,
    '  kubectl get otr -o yaml          # the defaults, labels and finalizer filled in at admission',
    `  kubectl apply -f ${join(packageRoot(), 'config', 'samples', 'invalid')}   # denials that name the field`,
    ...workloadsBanner(local.workloads),
    ...(apiPort === undefined
      ? []
      : [
          `The REST API (docs/rest-api.md) is on https://127.0.0.1:${apiPort}: /openapi.json, /health; runs need a`,
          '  ServiceAccount token for the audience "orchestrator" (kubectl create token NAME --audience orchestrator).',
        ]),
    ...metrics,
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/**
 * The process's logger. Not on a terminal (a pod, CI, a pipe): JSON lines on stdout in writes of 4 KiB
 * (observability/log-destination.ts). On a terminal (`npm start`): the same lines made readable by
 * pino-pretty.
 */
const processLogger = (level: string | undefined): Logger => {
  // A line written inside a span carries its trace (docs/observability.md).
  const options = { level, ...traceLogOptions(tracingSettings().enabled) };
  // With OTEL_LOGS_EXPORTER, every line is a log record too (observability/log-export.ts).
  const exporting = logExportSettings().enabled;
  return process.stdout.isTTY
    ? pino(
        options,
        withLogExport(
          pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
          exporting,
        ),
      )
    : pino(options, withLogExport(logDestination(1), exporting));
};

export async function run(opts: RunOptions, logger: Logger = processLogger(opts.logLevel)): Promise<void> {
  // First: the webhook routes and the controllers are built traced or not.
  const tracing = await startTracing();
  logger.info({ enabled: tracing.enabled, reason: tracing.reason }, 'OpenTelemetry tracing');
  logger.info({ enabled: tracing.logs.enabled, reason: tracing.logs.reason }, 'OpenTelemetry log export');
  const registry = new Registry();
  registerBuildInfo(registry);
  const inputs = watchInputs({
    configFile: opts.configFile,
    ...(opts.configEnv ? { env: opts.configEnv } : {}),
    ...(opts.templatesDir ? { templateDir: opts.templatesDir } : {}),
    registry,
    logger,
  });
  const { config, templates } = inputs;
  const leaseNamespace = opts.leaderElection ? [opts.leaderElection.namespace] : [];
  const local = opts.local
    ? await startLocalEnvironment({
        namespaces: leaseNamespace,
        configFile: opts.configFile,
        log: (msg) => logger.info(msg),
      })
    : undefined;
  let webhook: Awaited<ReturnType<typeof startWebhookServer>> | undefined;
  let api: ApiServer | undefined;
  let gateway: ModelGateway | undefined;
  try {
    const kc = kubeConfig(opts, local);
    const certDir = opts.certDir ?? '';
    const certificates = {
      certFile: local?.certFile ?? join(certDir, 'tls.crt'),
      keyFile: local?.keyFile ?? join(certDir, 'tls.key'),
    };
    // Each API call made inside a traced reconcile or review is a span of it (docs/design.md §11).
    const client = new KubeClient(local?.managerKubeConfig ?? kc, {
      requestTimeoutMs: 10_000,
      registry,
      around: apiCall,
    });
    // Against a cluster we did not make: what is missing is said in one line with its fix, not found as
    // an ENOENT or a Lease retried for ever (preflight.ts).
    if (!local) {
      const lease = opts.leaderElection
        ? { namespace: opts.leaderElection.namespace, name: opts.leaderElection.name }
        : undefined;
      const problem = await preflight(client, {
        ...certificates,
        webhookPort: opts.webhookPort,
        ...(lease ? { lease } : {}),
      });
      if (problem) throw new Error(problem);
    }
    // The REST API creates runs as the manager and states the caller as their submitter: the webhooks
    // keep what this identity states, and replace what anyone else does (docs/design.md §7).
    const self = await managerIdentity(client, logger);
    // The reference checks' SubjectAccessReviews go out on a client of their own (its own connections,
    // within its own budget: referenceReviewer), so reviews posted to the webhook never queue the
    // reconciler's or leader election's calls behind them.
    const reviews = new KubeClient(local?.managerKubeConfig ?? kc, {
      requestTimeoutMs: REFERENCE_REVIEW_TIMEOUT_MS,
      registry,
      around: apiCall,
    });
    webhook = await startWebhookServer({
      ...certificates,
      ...(opts.webhookClientCAFile ? { clientCAFile: opts.webhookClientCAFile } : {}),
      routes: admissionRoutes({
        config,
        reviewer: referenceReviewer(reviews),
        trustedSubmitters: () => self,
        localTools: () => Object.keys(templates.current().presets.localServers),
      }),
      registry,
      logger: logger.child({ component: 'webhook' }),
      port: opts.webhookPort,
      host: local ? '127.0.0.1' : '0.0.0.0',
      bodyLimitBytes: config.current().webhook.bodyLimitBytes,
      limits: config.current().webhook.limits,
      connections: connectionLimits(config.current()),
    });
    if (local)
      await installLocalWebhooks(kc, { baseUrl: `https://127.0.0.1:${webhook.port}`, caPem: local.caPem });
    // The Apps' keys stay in this namespace; the agents get minted tokens (docs/design.md §4.8). A
    // config naming no key Secrets mints none (decided at start: the token cache is an informer), and
    // neither does the embedded local cluster, whose simulated agents reach no GitHub.
    const { githubAppId, githubAppPrivateKey } = config.current().secrets;
    const githubTokens =
      !local && githubAppId && githubAppPrivateKey
        ? new TokenBroker({
            keys: new AppKeys(client, opts.namespace, () => ({
              id: config.current().secrets.githubAppId,
              key: config.current().secrets.githubAppPrivateKey,
            })),
            apiUrl: () => githubApiUrl(config.current().github.host),
            registry,
          })
        : undefined;
    // The GitHub webhook asks GitHub, with the same Apps' tokens, who may start a run
    // (docs/github-webhook.md "Who may start a run"); without keys it can ask no one.
    const githubPermissions =
      githubTokens &&
      new CollaboratorPermissions({
        tokens: githubTokens,
        apiUrl: () => githubApiUrl(config.current().github.host),
      });
    logger.info(
      { namespace: opts.namespace, minting: githubTokens !== undefined, local: local !== undefined },
      'GitHub App installation tokens (keys read from this namespace)',
    );
    // What `orchestrator doctor` would say, logged once (src/doctor); never awaited nor fatal: a
    // missing key or binding is the user's to fix, and the process serves what it can meanwhile.
    if (!local) void logStartChecks(client, config.current(), opts.namespace, logger);
    if (opts.api)
      api = await startRestApi({
        address: opts.api,
        certificates,
        client,
        config,
        githubSecrets: () => inputs.githubSecrets.current(),
        ...(githubPermissions ? { githubPermissions } : {}),
        registry,
        logger,
        local: local !== undefined,
      });
    // The model gateway on every replica, its keys and ledger in this namespace (docs/economics.md).
    gateway = await startModelGateway({
      client,
      config,
      namespace: opts.namespace,
      connections: connectionLimits(config.current()),
      logger,
      // The phases get their App tokens from the broker there, so the reconcilers mint none into
      // Secrets of the run's namespace (docs/security.md "Phases and their credentials").
      ...(githubTokens ? { githubTokens } : {}),
    });
    const manager = new Manager({
      client,
      registry,
      logger,
      leaderElection: opts.leaderElection,
      metrics: metricsServing({
        address: opts.metrics,
        secure: opts.metricsSecure,
        certificates,
        client,
        logger,
        maxConcurrentRequests: config.current().metrics.maxConcurrentRequests,
        connections: connectionLimits(config.current()),
      }),
      probes: opts.probes,
    });
    // The informers' scope is fixed when they start: a changed scope takes a restart.
    const scope = namespaceScope(config.current());
    logger.info({ scope }, 'reconciling runs in these namespaces');
    const runs = runControllers({
      client,
      registry,
      scope,
      ...(gateway?.stamper ? { gateway: { tokens: gateway.stamper, ledgerNamespace: opts.namespace } } : {}),
      // The refusals of App runs said on their pull requests, with the same Apps' tokens (decision 0050).
      // And the plays' task markers read with them, read-only (decision 0057).
      ...(githubTokens
        ? {
            pullRequestComments: new GithubPullRequestComments({
              tokens: githubTokens,
              apiUrl: () => githubApiUrl(config.current().github.host),
            }),
            taskMarkers: new GithubTaskMarkers({
              tokens: githubTokens,
              apiUrl: () => githubApiUrl(config.current().github.host),
            }),
          }
        : {}),
      logger: logger.child({ component: 'controllers' }),
      config: () => config.current(),
      templates: () => templates.current(),
    });
    for (const informer of runs.informers) manager.addInformer(informer);
    for (const controller of runs.controllers) manager.addController(controller);
    const serving = webhook;
    manager.addReadyzCheck('webhook', () =>
      serving.serving() ? undefined : 'the webhook server is not serving',
    );
    const rest = api;
    if (rest)
      manager.addReadyzCheck('api', () =>
        rest.serving() ? undefined : 'the REST API server is not serving',
      );
    const models = gateway;
    if (models)
      manager.addReadyzCheck('gateway', () =>
        models.serving() ? undefined : 'the model gateway is not serving',
      );
    const workloads = local && followWorkloads(local.workloads, manager, logger);
    if (local)
      process.stderr.write(
        banner(local, webhook.port, api?.port, metricsLines(opts.metrics.port, opts.metricsSecure)),
      );
    logger.info(
      { webhookPort: webhook.port, apiPort: api?.port, kubeconfig: local?.cluster.kubeconfig },
      'orchestrator ready',
    );
    // Said once: whether the agents' NetworkPolicies can hold (docs/agent-pods.md "Egress").
    if (config.current().egress.enabled)
      void networkPolicyEnforcement(client).then((v) =>
        v.enforced ? logger.info({ engine: v.engine }, v.message) : logger.warn(v.message),
      );
    // Admission must not fail while the Service still routes here: the servers drain from the stop
    // signal on, beside the manager's stop, and close once both have had their time.
    const drained = manager.stopRequested.then(async () => {
      for (const server of [webhook, api]) server?.drain();
      if (opts.shutdownDelayMs > 0) {
        logger.info({ ms: opts.shutdownDelayMs }, 'draining: answering until the Service stops routing here');
        await new Promise((resolve) => setTimeout(resolve, opts.shutdownDelayMs));
      }
      // The model calls in flight run on to their end beside the manager's stop (app/gateway.ts).
      void gateway?.close();
    });
    await manager.runUntilSignal();
    await drained;
    const failed = workloads?.failure();
    if (failed) throw failed;
  } finally {
    await gateway?.close();
    await api?.close();
    await webhook?.close();
    inputs.close();
    await local?.cluster.stop();
    await tracing.shutdown();
  }
}
