// The run metrics a platform team reads: how many runs are in each phase (a gauge computed from the
// caches at scrape time), and what the leader's status writes say about each run (finished, how long
// it took, how long its agent took to start, the pull requests it opened). Labels are bounded: a kind,
// an agent profile of the config (else `other`), an outcome; never a run's name.
// The design it implements: docs/design.md §4.5.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  type ControllerConfig,
  FINAL_PHASES,
  finalPhase,
  newAttemptUsage,
  type Phase,
  type ResolvedRun,
  type RunKindName,
  type RunStatus,
  runAgent,
} from '../../api/index.js';
import { memo } from '../../runtime/index.js';
import type { RunCache } from '../capacity/holder-index.js';
import { taskRunMetrics } from './taskrun-metrics.js';
import { countUsage, registerUsageMetrics, seedUsage } from './usage-metrics.js';

export const RUNS_METRIC = 'orchestrator_runs';
const PHASES: readonly Phase[] = ['Pending', 'Running', ...FINAL_PHASES];
const OUTCOMES = FINAL_PHASES;
/** The agent label of a run whose agent is no profile of the config (a GitHub App's name, say). */
export const OTHER_AGENT = 'other';

/** Agent runs take minutes to hours: 10 s to a day. */
const DURATION_BUCKETS = [
  10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 21600, 43200, 86400,
];
/** Scheduling, image pull and workspace preparation, plus any wait for a slot: a second to 2 hours. */
const START_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 1800, 3600, 7200];

export function registerRunMetrics(registry: Registry, caches: readonly RunCache[]): void {
  // A manager restarted in the same process (tests) registers its own caches in place of the old ones.
  registry.removeSingleMetric(RUNS_METRIC);
  new Gauge({
    name: RUNS_METRIC,
    help: 'Runs by kind and phase, as the caches see them (a run without status yet counts as Pending).',
    labelNames: ['kind', 'phase'],
    registers: [registry],
    collect() {
      for (const { kind, runs } of caches) {
        const counts = new Map<string, number>(PHASES.map((p) => [p, 0]));
        for (const run of runs.list()) {
          const phase = run.status?.phase ?? 'Pending';
          counts.set(phase, (counts.get(phase) ?? 0) + 1);
        }
        for (const [phase, n] of counts) this.set({ kind, phase }, n);
      }
    },
  });
}

type RunLabel = 'kind' | 'agent';

interface RunOutcomeMetrics {
  finished: Counter<RunLabel | 'outcome'>;
  duration: Histogram<RunLabel | 'outcome'>;
  timeToRunning: Histogram<RunLabel>;
  pullRequests: Counter<RunLabel>;
  retries: Counter<RunLabel>;
}

const runOutcomeMetrics = memo((registry): RunOutcomeMetrics => {
  const registers = [registry];
  return {
    finished: new Counter({
      name: 'orchestrator_runs_finished_total',
      help: 'Runs that reached Succeeded, Failed or Cancelled (outcome), by kind and agent; counted by the leader as it writes the status.',
      labelNames: ['kind', 'agent', 'outcome'],
      registers,
    }),
    duration: new Histogram({
      name: 'orchestrator_run_duration_seconds',
      help: "Time from a run's creation to its completion (waits and retries included), by kind, agent and outcome.",
      labelNames: ['kind', 'agent', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    timeToRunning: new Histogram({
      name: 'orchestrator_run_time_to_running_seconds',
      help: "Time from a run's creation to its first attempt's agent running (dependencies, capacity, scheduling, image pull, workspace preparation).",
      labelNames: ['kind', 'agent'],
      buckets: START_BUCKETS,
      registers,
    }),
    pullRequests: new Counter({
      name: 'orchestrator_pull_requests_opened_total',
      help: 'Pull requests the agents reported opening (a new pullRequestUrl in a run status), by kind and agent.',
      labelNames: ['kind', 'agent'],
      registers,
    }),
    // The seeds' "retry counts" (004, Observability): what status.retryCount adds up to.
    retries: new Counter({
      name: 'orchestrator_run_retries_total',
      help: 'Attempts started automatically after a failed one (a rise of status.retryCount), by kind and agent; a raised spec attempt is not a retry.',
      labelNames: ['kind', 'agent'],
      registers,
    }),
  };
});

/**
 * The agent label of a run: its agent when the config has that profile, else `other` (bounded). The
 * agent is the resolved run's (src/api/resolved-run.ts) when the reconcile resolved it; a run it did
 * not (finished, new) is asked here.
 */
export function agentLabel(
  kind: RunKindName,
  spec: object,
  config: ControllerConfig,
  resolved?: ResolvedRun,
): string {
  const agent = resolved ? resolved.agent : runAgent(kind, spec as Record<string, unknown>, config);
  return agent !== undefined && Object.hasOwn(config.agents, agent) ? agent : OTHER_AGENT;
}

/** What a reconciler reports, for the metrics. */
export interface RunRecorder {
  /** A status write of a run succeeded: `before` → `after`, at `now`. */
  statusWritten(
    run: { metadata?: { creationTimestamp?: string; namespace?: string }; spec: object },
    before: RunStatus | undefined,
    after: RunStatus,
    config: ControllerConfig,
    now: Date,
    /** The run as the reconcile resolved it, when it did. */
    resolved?: ResolvedRun,
  ): void;
  /** The reconciler created (not adopted) a Job or a ConfigMap of an attempt. */
  created(object: 'Job' | 'ConfigMap'): void;
}

/**
 * The recorder of `kind`'s reconciler. Every series of the config's agents starts at 0, histograms
 * included: Prometheus sees no increase in a series whose first sample already holds the first run, so
 * rate(), increase() and the quantiles of a dashboard would miss the first run of each agent and outcome.
 */
export function runRecorder(registry: Registry, kind: RunKindName, config: ControllerConfig): RunRecorder {
  const m = runOutcomeMetrics(registry);
  registerUsageMetrics(registry);
  for (const agent of [...Object.keys(config.agents), OTHER_AGENT]) {
    m.pullRequests.inc({ kind, agent }, 0);
    m.retries.inc({ kind, agent }, 0);
    m.timeToRunning.zero({ kind, agent });
    for (const outcome of OUTCOMES) {
      m.finished.inc({ kind, agent, outcome }, 0);
      m.duration.zero({ kind, agent, outcome });
    }
  }
  const seed = kind === 'TaskRun' ? taskRunMetrics(registry) : undefined;
  return {
    statusWritten(run, before, after, config, now, resolved) {
      const labels = { kind, agent: agentLabel(kind, run.spec, config, resolved) };
      const created = Date.parse(run.metadata?.creationTimestamp ?? '');
      const since = (at: number) => Math.max(0, (at - created) / 1000);
      const { phase } = after;
      if (finalPhase(phase) && !finalPhase(before?.phase)) {
        m.finished.inc({ ...labels, outcome: phase });
        const completed = Date.parse(after.completionTime ?? '');
        if (Number.isFinite(created))
          m.duration.observe(
            { ...labels, outcome: phase },
            since(Number.isFinite(completed) ? completed : now.getTime()),
          );
      }
      // From creation, so only the first attempt: a retry or a raised attempt starts long after it.
      if (
        phase === 'Running' &&
        before?.phase !== 'Running' &&
        after.attempt === 1 &&
        Number.isFinite(created)
      )
        m.timeToRunning.observe(labels, since(now.getTime()));
      if (after.pullRequestUrl && after.pullRequestUrl !== before?.pullRequestUrl) m.pullRequests.inc(labels);
      const retried = (after.retryCount ?? 0) - (before?.retryCount ?? 0);
      if (retried > 0) m.retries.inc(labels, retried);
      const spent = { run_namespace: run.metadata?.namespace ?? '', agent: labels.agent };
      if (phase === 'Running' && before?.phase !== 'Running')
        seedUsage(registry, spent, (run.spec as { model?: string }).model, config);
      countUsage(registry, spent, newAttemptUsage(before, after), config);
    },
    created(object) {
      if (!seed) return;
      (object === 'Job' ? seed.jobsCreated : seed.configMapsCreated).inc();
    },
  };
}
