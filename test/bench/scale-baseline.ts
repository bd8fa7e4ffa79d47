// The scale benchmark's baseline: the writes the operator makes for each run, made directly with no
// informer of runs, no work queue and no reconciler, by a fixed pool of workers — the least any
// implementation must do. Per run: POST the run already defaulted (labels, finalizer: what admission
// would store), then per attempt the ConfigMap (the same rendered templates), the agent-shell ConfigMap
// (once), the workspace PVC (once per volume), the Job and a status PUT with an Event on each
// transition; one watch on the namespace's Jobs tells it when an attempt ends: a completed Job's run
// gets its final status, a failed one its next attempt at once (no backoff). Payloads come from the functions the reconciler
// uses (src/controllers); statuses from desiredStatus, Events from transition.
import { setMaxListeners } from 'node:events';
import pino from 'pino';
import type { RunStatus } from '../../src/api/index.js';
import {
  API_VERSION,
  type ControllerConfig,
  type DefaultedRun,
  defaulted,
  LABELS,
  MANAGED_BY,
  type RunKindName,
  runResource,
} from '../../src/api/index.js';
import {
  type AttemptInput,
  agentShellConfigMap,
  attemptConfigMap,
  attemptJob,
  workspacePvc,
} from '../../src/controllers/agent/manifests.js';
import { RUN_STRATEGIES, type RunStrategy } from '../../src/controllers/kind/strategy.js';
import { agentState } from '../../src/controllers/pods/index.js';
import { recordEvent, transition } from '../../src/controllers/reconcile/events.js';
import { createIfMissing } from '../../src/controllers/reconcile/owned-objects.js';
import { desiredStatus } from '../../src/controllers/reconcile/status.js';
import type { AttemptState } from '../../src/controllers/reconcile/world.js';
import { renderRun, type TemplateSet, withoutAgentShell } from '../../src/render/index.js';
import {
  CONFIGMAPS,
  JOBS,
  jobState,
  type KubeClient,
  type KubeObject,
  PVCS,
  resourcePath,
} from '../../src/runtime/index.js';
import { type NamespaceWatch, watchNamespace } from './namespace-watch.js';
import type { BenchRun } from './scale-runs.js';

export interface BaselineOptions {
  client: KubeClient;
  namespace: string;
  config: ControllerConfig;
  templates: TemplateSet;
  runs: BenchRun[];
  workers: number;
}

export interface Baseline {
  /** Resolves once every run is created with its first attempt (the finish is watched by the caller). */
  created: Promise<void>;
  /** Stops the Job watch; rejects with the first write that failed. */
  stop(): Promise<void>;
}

interface Tracked {
  kind: RunKindName;
  /** As stored: it was posted defaulted, and the apiserver keeps what it was given. */
  run: DefaultedRun<RunKindName>;
  attempt: number;
  /** This run's writes, one after another (an attempt's end may come while its start is written). */
  chain: Promise<void>;
}

const logger = pino({ level: 'silent' });
const noSignal = new AbortController().signal;
// Every write in flight listens on it: thousands at once are expected, not a leak.
setMaxListeners(0, noSignal);

export async function startBaseline(opts: BaselineOptions): Promise<Baseline> {
  const { client, namespace, config, templates } = opts;
  const byUid = new Map<string, Tracked>();
  const volumes = new Map<string, Promise<void>>();
  const endedJobs = new Set<string>();
  const errors: unknown[] = [];

  const writeStatus = async (t: Tracked, job: KubeObject | undefined) => {
    const strategy = RUN_STRATEGIES[t.kind] as RunStrategy;
    const before = t.run.status as RunStatus | undefined;
    const jobName = strategy.jobName(t.run, t.attempt);
    const facts = {
      attempt: t.attempt,
      configMapName: strategy.configMapName(t.run, t.attempt),
      jobName,
      retryCount: t.attempt - 1,
    };
    // The baseline writes the status of a new attempt and of a Job that completed.
    const agent = agentState(undefined, jobName);
    const state: AttemptState =
      job && jobState(job) === 'Complete'
        ? { ...facts, state: 'finished', job, agent, ending: { outcome: 'succeeded' } }
        : { ...facts, state: 'active', job: job ?? { metadata: { name: jobName } } };
    const status = desiredStatus(before, t.run.metadata?.generation ?? 0, state);
    const path = `${resourcePath(runResource(t.kind), namespace, t.run.metadata?.name)}/status`;
    t.run = await client.request<DefaultedRun<RunKindName>>('PUT', path, { body: { ...t.run, status } });
    const event = transition(before, status);
    const involved = { ...(t.run as KubeObject), apiVersion: API_VERSION, kind: t.kind };
    if (event) await recordEvent(client, involved, event, { now: new Date(), logger, signal: noSignal });
  };

  const startAttempt = async (t: Tracked, attempt: number) => {
    t.attempt = attempt;
    const { agentShell } = templates;
    const input: AttemptInput = {
      strategy: RUN_STRATEGIES[t.kind] as RunStrategy,
      run: t.run,
      config,
      attempt,
      agentShell: agentShell.name,
    };
    const data = withoutAgentShell(renderRun(templates, t.kind, t.run, config, attempt).data, agentShell);
    await client.request('POST', resourcePath(CONFIGMAPS, namespace), {
      body: attemptConfigMap(input, data),
    });
    if (!volumes.has(agentShell.name))
      volumes.set(
        agentShell.name,
        createIfMissing(client, CONFIGMAPS, agentShellConfigMap(namespace, agentShell), noSignal),
      );
    await volumes.get(agentShell.name);
    const pvc = workspacePvc(input);
    const volume = pvc.metadata?.name ?? '';
    if (!volumes.has(volume)) volumes.set(volume, createIfMissing(client, PVCS, pvc, noSignal));
    await volumes.get(volume);
    const job = await client.request<KubeObject>('POST', resourcePath(JOBS, namespace), {
      body: attemptJob(input),
    });
    await writeStatus(t, job);
  };

  const enqueue = (t: Tracked, step: () => Promise<void>) => {
    t.chain = t.chain.then(step).catch((err) => {
      errors.push(err);
    });
    return t.chain;
  };

  const onJob = (job: KubeObject) => {
    const state = jobState(job);
    const uid = job.metadata?.uid ?? '';
    if ((state !== 'Complete' && state !== 'Failed') || endedJobs.has(uid)) return;
    endedJobs.add(uid);
    const owner = job.metadata?.ownerReferences?.find((r) => r.controller)?.uid ?? '';
    const t = byUid.get(owner);
    if (!t) return;
    enqueue(t, () => (state === 'Complete' ? writeStatus(t, job) : startAttempt(t, t.attempt + 1)));
  };
  const jobs: NamespaceWatch = await watchNamespace(
    client,
    JOBS,
    namespace,
    onJob,
    `${LABELS.managedBy}=${MANAGED_BY}`,
  );

  let next = 0;
  const created = Promise.all(
    Array.from({ length: opts.workers }, async () => {
      while (next < opts.runs.length) {
        const { kind, body } = opts.runs[next++] as BenchRun;
        const run = await client.request<DefaultedRun<RunKindName>>(
          'POST',
          resourcePath(runResource(kind), namespace),
          {
            body: defaulted(kind, body, config),
          },
        );
        const t: Tracked = { kind, run, attempt: 1, chain: Promise.resolve() };
        byUid.set(run.metadata?.uid ?? '', t);
        await enqueue(t, () => startAttempt(t, 1));
      }
    }),
  ).then(() => undefined);

  return {
    created,
    stop: async () => {
      await jobs.stop();
      await Promise.all([...byUid.values()].map((t) => t.chain));
      if (errors.length) throw errors[0];
    },
  };
}
