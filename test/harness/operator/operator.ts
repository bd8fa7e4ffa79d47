// The run controllers started in-process against the test cluster, scoped to one namespace, with the
// default controller config (optionally changed), plus helpers that play the parts missing from the
// local control plane: the Job controller (a Job's /status is patched to Complete or Failed).
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { BudgetReports, ControllerConfig, RunKindName, RunOf, TaskRun } from '../../../src/api/index.js';
import { runPath } from '../../../src/cli/kinds.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { objectSeal } from '../../../src/controllers/index.js';
import { RUN_STRATEGIES, type RunStrategy } from '../../../src/controllers/kind/strategy.js';
import { type RunControllersOptions, runControllers } from '../../../src/controllers/run-controllers.js';
import { apiCall } from '../../../src/observability/api-spans.js';
import { loadTemplateSet, type TemplateSet } from '../../../src/render/index.js';
import {
  type Cache,
  CONFIGMAPS,
  JOBS,
  KubeClient,
  type KubeObject,
  Manager,
  type NamespaceScope,
  resourcePath,
} from '../../../src/runtime/index.js';
import { kubeConfig } from '../cluster/cluster.js';
import { seedConfig } from '../util/app-configs.js';
import { sampleSum } from '../util/prometheus-text.js';
import type { Scope } from '../util/scope.js';
import { REQUEST_LIMIT_MS, waitFor } from '../util/wait.js';
import { platformGateway } from './platform-gateway.js';

type Teardown = Pick<Scope, 'teardown'>;

/** The pod annotations that choose a simulated agent's outcome (cluster/stages/pod.yaml). */
export const SIM = Object.freeze({
  delay: 'sim.orchestrator.io/delay',
  exitCode: 'sim.orchestrator.io/exit-code',
  terminationMessage: 'sim.orchestrator.io/termination-message',
});

/**
 * `base` (default: the shipped config as an install with the seed sample's Apps runs it, seedConfig;
 * the shipped config names no App, and a TaskRun without repository.githubUser acts as its profile's,
 * so sampleTaskRun acts as rex's 5DLabs-Rex) without the App key Secrets, with every agent pod held
 * running (a day) until the test says how the agent ends (finishJob): the test plays the agent, the
 * real Job controller and scheduler do the rest.
 */
export function testConfig(
  change: (config: ControllerConfig) => void = () => {},
  base: ControllerConfig = seedConfig(),
): ControllerConfig {
  const config = structuredClone(base);
  config.job.podAnnotations = { ...config.job.podAnnotations, [SIM.delay]: '24h' };
  // No App keys: an installed operator mints no tokens (its App runs reach GitHub anonymously); a test
  // of the tokens names APP_KEY_SECRETS and starts the broker on the GitHub stand-in
  // (test/integration/reconcile-github-tokens.test.ts).
  delete config.secrets.githubAppId;
  delete config.secrets.githubAppPrivateKey;
  change(config);
  return config;
}

/** The shipped config's App key Secrets (config/manager/controller-config.yaml), for AppKeys in tests. */
export const APP_KEY_SECRETS = Object.freeze({
  id: { name: 'github-app-{githubApp}', key: 'app-id' },
  key: { name: 'github-app-{githubApp}', key: 'private-key' },
});

export interface Operator {
  client: KubeClient;
  manager: Manager;
  /** Every cache the manager runs. */
  informers: Cache[];
  /** The team budgets' standings from its caches, as `orchestrator run` hands them to the REST API. */
  budgets: BudgetReports;
  /** Reconciles run so far by one kind's controller (`taskrun`, `coderun`, `docsrun`). */
  reconciles(controller?: string): Promise<number>;
  stop(): Promise<void>;
}

export interface OperatorOptions {
  /** The manager's client, e.g. one that injects faults. Default: a plain KubeClient. */
  client?: KubeClient;
  /** How long stop() waits for in-flight reconciles (0: abort them, as a crash would). Default 30 s. */
  gracefulShutdownTimeoutMs?: number;
  /** What the controllers read at each reconcile (e.g. watched files). Default: `config` and the package's templates. */
  inputs?: { config: () => ControllerConfig; templates: () => TemplateSet };
  /** The manager's metrics registry. Default: a new one. */
  registry?: Registry;
  /** The namespaces reconciled, instead of the one given. */
  scope?: NamespaceScope;
  /** Where the operator logs. Default: pino at TEST_LOG_LEVEL, else silent. */
  logger?: Logger;
  /**
   * The operator's namespace, as an install's (the gateway's key and ledger): one the test made and
   * granted. Default: one of the gateway's own.
   */
  operatorNamespace?: string;
  /** Reconciles of different runs at once, per kind. Default: runControllers' (4). */
  maxConcurrentReconciles?: number;
  /**
   * The model gateway's side of the controllers (runControllers' `gateway`). Default: with the config's
   * gateway on (the shipped config's), one started as an install has it (platform-gateway.ts).
   */
  gateway?: RunControllersOptions['gateway'];
  /** Where App runs' egress refusals are said (runControllers' `pullRequestComments`). Default: nowhere. */
  pullRequestComments?: RunControllersOptions['pullRequestComments'];
  /** Where the plays' task markers are read (runControllers' `taskMarkers`). Default: unchecked. */
  taskMarkers?: RunControllersOptions['taskMarkers'];
}

export async function startOperator(
  t: Teardown,
  cluster: Cluster,
  namespace: string,
  config: ControllerConfig = testConfig(),
  options: OperatorOptions = {},
): Promise<Operator> {
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // Traced as src/app/connect.ts traces the manager's client (a span per call inside a traced reconcile).
  const client =
    options.client ??
    new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS, around: apiCall });
  const registry = options.registry ?? new Registry();
  const templates = options.inputs ? undefined : loadTemplateSet();
  const inputs = options.inputs ?? { config: () => config, templates: () => templates as TemplateSet };
  const manager = new Manager({
    client,
    registry,
    logger,
    leaderElection: false,
    metrics: false,
    probes: false,
    collectDefaultMetrics: false,
    ...(options.gracefulShutdownTimeoutMs === undefined
      ? {}
      : { gracefulShutdownTimeoutMs: options.gracefulShutdownTimeoutMs }),
  });
  // The shipped config has the model gateway on: run it as an install does, unless the test brings its own.
  const gateway =
    options.gateway ??
    (inputs.config().gateway.enabled
      ? await platformGateway(t, cluster, inputs.config, logger, options.operatorNamespace)
      : undefined);
  const { informers, controllers, budgets } = runControllers({
    client,
    registry,
    logger,
    scope: options.scope ?? { namespaces: [namespace] },
    seal: HARNESS_SEAL,
    ...(options.maxConcurrentReconciles ? { maxConcurrentReconciles: options.maxConcurrentReconciles } : {}),
    ...(gateway ? { gateway } : {}),
    ...(options.pullRequestComments ? { pullRequestComments: options.pullRequestComments } : {}),
    ...(options.taskMarkers ? { taskMarkers: options.taskMarkers } : {}),
    ...inputs,
  });
  for (const informer of informers) manager.addInformer(informer);
  for (const controller of controllers) manager.addController(controller);
  await manager.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await manager.stop();
    client.close();
  };
  t.teardown(stop);
  return {
    client,
    manager,
    informers,
    budgets,
    reconciles: async (controller = 'taskrun') =>
      sampleSum(await registry.metrics(), 'controller_runtime_reconcile_total', { controller }),
    stop,
  };
}

/**
 * The seal of every operator the harness starts (an install's is its signing key): one for all, so an
 * operator started again recognises what the one before it made, as a restarted install does.
 */
export const HARNESS_SEAL = objectSeal(Buffer.from('orchestrator-test-harness-seal-key'));

/** The HTTP status of a request: 200 or the error's. */
export const httpStatusOf = (p: Promise<unknown>): Promise<number | undefined> =>
  p.then(
    () => 200,
    (err: { status?: number }) => err.status,
  );

export const taskRunPath = (namespace: string, name?: string) => runPath('TaskRun', namespace, name);
export const jobPath = (namespace: string, name?: string) => resourcePath(JOBS, namespace, name);
export const configMapPath = (namespace: string, name?: string) => resourcePath(CONFIGMAPS, namespace, name);

/**
 * The Job and ConfigMap names of a run's attempt as the controller computes them (they end in a hash
 * of the run's uid, so the test reads the run first).
 */
export async function attemptNames(
  client: KubeClient,
  namespace: string,
  kind: RunKindName,
  name: string,
  attempt = 1,
): Promise<{ job: string; configMap: string }> {
  const run = await client.request<RunOf<RunKindName>>('GET', runPath(kind, namespace, name));
  const strategy: RunStrategy = RUN_STRATEGIES[kind];
  return { job: strategy.jobName(run, attempt), configMap: strategy.configMapName(run, attempt) };
}

/** The Job name of a TaskRun's attempt (attemptNames). */
export const taskRunJob = async (client: KubeClient, namespace: string, name: string, attempt = 1) =>
  (await attemptNames(client, namespace, 'TaskRun', name, attempt)).job;

/** Until the Job exists (the controller made it). */
export async function untilJob(
  client: KubeClient,
  namespace: string,
  job: string,
  what: string,
): Promise<void> {
  await waitFor(
    what,
    async () => (await httpStatusOf(client.request('GET', jobPath(namespace, job)))) === 200,
  );
}

/** Until the run exists (someone else creates it) and its attempt's Job does; the Job's name. */
export async function untilAttemptJob(
  client: KubeClient,
  namespace: string,
  kind: RunKindName,
  name: string,
  attempt = 1,
): Promise<string> {
  const { job } = await waitFor(`${kind} ${name} created`, async () => {
    const found = await httpStatusOf(client.request('GET', runPath(kind, namespace, name)));
    return found === 200 ? attemptNames(client, namespace, kind, name, attempt) : undefined;
  });
  await untilJob(client, namespace, job, `the Job of ${kind} ${name}`);
  return job;
}

export function sampleTaskRun(name: string, taskId = 7, spec: Partial<TaskRun['spec']> = {}): TaskRun {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name },
    spec: {
      taskId,
      serviceName: 'payments',
      repository: { url: 'https://github.com/acme/payments.git' },
      markdownFiles: [{ filename: 'task.md', content: '# Task\nDo it.\n' }],
      ...spec,
    },
  };
}

/** An App CodeRun (the seed's 5DLabs-Rex, as testConfig names it, on acme/payments) with `spec` over it, as a plain object for kubectl or the API. */
export function sampleCodeRun(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: { name },
    spec: {
      taskId: 3,
      service: 'payments',
      repositoryUrl: 'https://github.com/acme/payments',
      docsRepositoryUrl: 'https://github.com/acme/docs',
      githubApp: '5DLabs-Rex',
      ...spec,
    },
  };
}

type PodStatus = { phase?: string; conditions?: Array<{ type: string; status: string; message?: string }> };

/** `name: phase`, and why it is not scheduled when it is not (the scheduler's message). */
function podSummary(pod: KubeObject): string {
  const status = pod.status as PodStatus | undefined;
  const unscheduled = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return `${pod.metadata?.name}: ${status?.phase}${unscheduled ? ` (${unscheduled.message})` : ''}`;
}

/**
 * The limit of each of finishJob's waits: KWOK, the scheduler and the Job controller each take their
 * turn, and beside the other lanes a Job took over 60 s to be marked Failed.
 */
const JOB_STEP_WAIT = { timeoutMs: 300_000 } as const;

/**
 * The agent's part: the Job's pod (simulated by KWOK, held running by the test config's
 * `sim.orchestrator.io/delay`) is told to exit now, with 0 or 1, and `message` as its containers'
 * termination message (e.g. a result, docs/result-protocol.md); the real Job controller then marks the
 * Job Complete or Failed. Waits for the pod to run first, and for the Job to finish.
 */
export async function finishJob(
  client: KubeClient,
  namespace: string,
  name: string,
  outcome: 'Complete' | 'Failed',
  message?: string,
): Promise<void> {
  const pods = `/api/v1/namespaces/${namespace}/pods`;
  const pod = await waitFor(
    `a running pod of Job ${namespace}/${name}`,
    async (note) => {
      const list = await client.request<{ items: KubeObject[] }>('GET', pods, {
        query: { labelSelector: `batch.kubernetes.io/job-name=${name}` },
      });
      note(list.items.map(podSummary));
      return list.items.find((p) => (p.status as PodStatus | undefined)?.phase === 'Running');
    },
    JOB_STEP_WAIT,
  );
  await client.request('PATCH', `${pods}/${pod.metadata?.name}`, {
    body: {
      metadata: {
        annotations: {
          [SIM.exitCode]: outcome === 'Complete' ? '0' : '1',
          [SIM.delay]: '0s',
          ...(message === undefined ? {} : { [SIM.terminationMessage]: message }),
        },
      },
    },
    contentType: 'application/merge-patch+json',
  });
  await waitFor(
    `Job ${namespace}/${name} ${outcome}`,
    async () => {
      const job = await client.request<KubeObject>('GET', jobPath(namespace, name));
      const conditions = (job.status as { conditions?: Array<{ type: string; status: string }> } | undefined)
        ?.conditions;
      return conditions?.some((c) => c.type === outcome && c.status === 'True');
    },
    JOB_STEP_WAIT,
  );
}
