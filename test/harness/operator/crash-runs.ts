// A seeded mix of TaskRuns for crash tests, the driver that plays the Job controller's and the users'
// parts until every run has settled, and the invariants checked afterwards from the API (never from a
// cache): one Job per attempt, no orphaned ConfigMap, deleted runs fully cleaned up, right final states.
import { setTimeout as sleep } from 'node:timers/promises';
import { kindFacts, LABELS, MANAGED_BY, type TaskRun } from '../../../src/api/index.js';
import { isAgentShellConfigMap } from '../../../src/controllers/agent-shell-sweeper.js';
import { taskRunStrategy } from '../../../src/controllers/kind/strategy.js';
import { uidHash } from '../../../src/naming/names.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { jobState } from '../../../src/runtime/index.js';
import { ignore404 } from '../util/api-errors.js';
import { waitFor } from '../util/wait.js';
import { configMapPath, finishJob, jobPath, sampleTaskRun, taskRunPath } from './operator.js';

export interface RunPlan {
  name: string;
  taskId: number;
  /** Attempts that fail before one succeeds (> maxRetries: the run fails for good). */
  failures: number;
  dependsOn?: number[];
  /** Deleted by the user once its first Job exists. */
  deleteWhileRunning?: boolean;
}

export interface Expected {
  gone: boolean;
  phase?: 'Succeeded' | 'Failed';
  /** status.attempt, i.e. the number of Jobs the run has (0: none, no attempt recorded). */
  attempts: number;
}

/** `count` runs: most succeed at once, some after failures, some fail for good, some wait on another. */
export function crashPlans(count: number, random: () => number, maxRetries: number): RunPlan[] {
  const plans: RunPlan[] = [];
  for (let taskId = 1; taskId <= count; taskId++) {
    const draw = random();
    // maxRetries failures: the last retry succeeds; one more: the run fails for good.
    const failures = draw < 0.55 ? 0 : draw < 0.75 ? 1 : draw < 0.88 ? maxRetries : maxRetries + 1;
    const plan: RunPlan = { name: `crash-${taskId}`, taskId, failures };
    const earlier = plans.filter((p) => !p.deleteWhileRunning);
    // A run to delete has no dependencies, so that it surely gets a Job to be deleted with.
    if (taskId % 10 === 5) plan.deleteWhileRunning = true;
    else if (earlier.length > 0 && random() < 0.2)
      plan.dependsOn = [(earlier[Math.floor(random() * earlier.length)] as RunPlan).taskId];
    plans.push(plan);
  }
  return plans;
}

export function expected(plan: RunPlan, plans: RunPlan[], maxRetries: number): Expected {
  if (plan.deleteWhileRunning) return { gone: true, attempts: 0 };
  const blocked = (plan.dependsOn ?? []).some((taskId) => {
    const dep = plans.find((p) => p.taskId === taskId);
    return dep && expected(dep, plans, maxRetries).phase === 'Failed';
  });
  if (blocked) return { gone: false, phase: 'Failed', attempts: 0 };
  if (plan.failures > maxRetries) return { gone: false, phase: 'Failed', attempts: maxRetries + 1 };
  return { gone: false, phase: 'Succeeded', attempts: plan.failures + 1 };
}

/** Creates the runs in order, `spacingMs` apart (so that a crash can fall in the middle). */
export async function createRuns(
  client: KubeClient,
  namespace: string,
  plans: RunPlan[],
  spacingMs = 0,
): Promise<void> {
  for (const plan of plans) {
    // A workspace per run, so that the runs of the one service run at once (one run per workspace).
    const workspace = { pvcName: `workspace-${plan.name}` };
    const spec = plan.dependsOn ? { dependsOn: plan.dependsOn, workspace } : { workspace };
    await client.request('POST', taskRunPath(namespace), {
      body: sampleTaskRun(plan.name, plan.taskId, spec),
    });
    if (spacingMs) await sleep(spacingMs);
  }
}

const managed = { labelSelector: `${LABELS.managedBy}=${MANAGED_BY}` };
const list = async <T = KubeObject>(client: KubeClient, path: string, query = {}) =>
  (await client.request<{ items: T[] }>('GET', path, { query })).items;

/** Task, attempt and uid hash in a Job's or ConfigMap's name (`{service}-task-{id}-run-{attempt}-{uid hash}[-files]`). */
const NAME = /^payments-task-(\d+)-run-(\d+)-([0-9a-f]{8})(-files)?$/;

/** Every run not (yet) in its expected final state, as the API shows it: [] when all have settled. */
async function unsettled(client: KubeClient, namespace: string, plans: RunPlan[], maxRetries: number) {
  const runs = new Map(
    (await list<TaskRun>(client, taskRunPath(namespace))).map((r) => [r.metadata?.name, r]),
  );
  return plans.flatMap((plan) => {
    const want = expected(plan, plans, maxRetries);
    const run = runs.get(plan.name);
    if (want.gone) return run ? [`${plan.name} still there (expected gone)`] : [];
    const phase = run?.status?.phase;
    const attempt = run?.status?.attempt ?? 0;
    if (phase === want.phase && attempt === want.attempts) return [];
    return [
      `${plan.name} ${run ? `${phase ?? 'no phase'} attempt ${attempt}` : 'missing'} (expected ${want.phase} attempt ${want.attempts})`,
    ];
  });
}

/**
 * Plays the Job controller (each new Job fails or completes as its run's plan says) and the users
 * (a run to delete is deleted once its first Job exists) until every run has settled; `timeoutMs` is
 * scaled like every wait (test/harness/util/wait.ts).
 */
export async function driveRuns(
  client: KubeClient,
  namespace: string,
  plans: RunPlan[],
  maxRetries: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const deleted = new Set<string>();
  await waitFor(
    'every run settled',
    async (note) => {
      signal?.throwIfAborted();
      for (const job of await list(client, jobPath(namespace), managed)) {
        const plan = byName.get(job.metadata?.labels?.[LABELS.run] ?? '');
        const attempt = Number(NAME.exec(job.metadata?.name ?? '')?.[2]);
        if (!plan || jobState(job) !== 'Active') continue;
        if (plan.deleteWhileRunning) {
          if (deleted.has(plan.name)) continue;
          await client.request('DELETE', taskRunPath(namespace, plan.name)).catch(ignore404);
          deleted.add(plan.name);
        } else {
          const outcome = attempt <= plan.failures ? 'Failed' : 'Complete';
          await finishJob(client, namespace, job.metadata?.name ?? '', outcome).catch(ignore404);
        }
      }
      const left = await unsettled(client, namespace, plans, maxRetries);
      note(`${left.length} of ${plans.length} runs not settled: ${left.slice(0, 10).join('; ')}`);
      return left.length === 0;
    },
    // Each round lists every Job and run: at 50 ms apart those lists were most of the file's CPU.
    { timeoutMs, intervalMs: 500 },
  );
}

/** Everything wrong with the namespace's runs and their objects, as read from the API; [] when sound. */
export async function invariantViolations(
  client: KubeClient,
  namespace: string,
  plans: RunPlan[],
  maxRetries: number,
): Promise<string[]> {
  const problems: string[] = [];
  const runs = await list<TaskRun>(client, taskRunPath(namespace));
  const jobs = await list(client, jobPath(namespace), managed);
  const configMaps = await list(client, configMapPath(namespace), managed);
  const runByUid = new Map(runs.map((r) => [r.metadata?.uid, r]));
  const jobNames = new Set(jobs.map((j) => j.metadata?.name));
  const attemptsOf = new Map<string, number[]>();
  const owned = (kind: string, obj: KubeObject): TaskRun | undefined => {
    const name = obj.metadata?.name ?? '';
    const controllers = (obj.metadata?.ownerReferences ?? []).filter((r) => r.controller);
    const run = runByUid.get(controllers[0]?.uid);
    const match = NAME.exec(name);
    if (!match) problems.push(`${kind} ${name}: not a name the reconciler gives`);
    if (controllers.length !== 1) problems.push(`${kind} ${name}: ${controllers.length} controllers`);
    else if (!run) problems.push(`${kind} ${name}: orphaned (its run ${controllers[0]?.name} is gone)`);
    else if (match && String(run.spec.taskId) !== match[1])
      problems.push(`${kind} ${name}: owned by ${run.metadata?.name} of task ${run.spec.taskId}`);
    else if (match && uidHash(run.metadata?.uid ?? '') !== match[3])
      problems.push(`${kind} ${name}: owned by ${run.metadata?.name}, whose uid hash it does not carry`);
    return run;
  };
  for (const job of jobs) {
    const run = owned('Job', job);
    if (!run) continue;
    const key = run.metadata?.uid ?? '';
    const attempt = Number(NAME.exec(job.metadata?.name ?? '')?.[2]);
    if (attemptsOf.get(key)?.includes(attempt))
      problems.push(`Job ${job.metadata?.name}: a second Job for attempt ${attempt}`);
    attemptsOf.set(key, [...(attemptsOf.get(key) ?? []), attempt]);
  }
  // One agent shell for the namespace's runs, made once whatever crashed meanwhile, and every attempt's.
  const shells = configMaps.filter(isAgentShellConfigMap).map((c) => c.metadata?.name);
  if (shells.length !== 1) problems.push(`agent-shell ConfigMaps: ${shells.join(', ') || 'none'}, not one`);
  for (const configMap of configMaps.filter((c) => !isAgentShellConfigMap(c))) {
    const name = configMap.metadata?.name ?? '';
    if (owned('ConfigMap', configMap) && !jobNames.has(name.replace(/-files$/, '')))
      problems.push(`ConfigMap ${name}: no Job of its attempt`);
    const agentShell = configMap.metadata?.labels?.[LABELS.agentShell];
    if (agentShell !== shells[0]) problems.push(`ConfigMap ${name}: uses the agent shell ${agentShell}`);
  }
  for (const plan of plans) {
    const want = expected(plan, plans, maxRetries);
    const run = runs.find((r) => r.metadata?.name === plan.name);
    const at = `run ${plan.name}`;
    if (want.gone) {
      if (run)
        problems.push(`${at}: still there (finalizers ${run.metadata?.finalizers}) after its deletion`);
      const objects = [
        ...jobs.map((o) => ['Job', o] as const),
        ...configMaps.map((o) => ['ConfigMap', o] as const),
      ];
      for (const [kind, o] of objects)
        if (o.metadata?.labels?.[LABELS.run] === plan.name)
          problems.push(`${at}: deleted, but its ${kind} ${o.metadata?.name} is left`);
      continue;
    }
    if (!run) {
      problems.push(`${at}: missing`);
      continue;
    }
    const status = run.status ?? {};
    if (status.phase !== want.phase) problems.push(`${at}: phase ${status.phase}, expected ${want.phase}`);
    if ((status.attempt ?? 0) !== want.attempts)
      problems.push(`${at}: attempt ${status.attempt}, expected ${want.attempts}`);
    const attempts = (attemptsOf.get(run.metadata?.uid ?? '') ?? []).sort((a, b) => a - b);
    const wanted = Array.from({ length: want.attempts }, (_, i) => i + 1);
    if (attempts.join() !== wanted.join())
      problems.push(`${at}: Jobs of attempts [${attempts}], expected [${wanted}]`);
    if (!run.metadata?.finalizers?.includes(kindFacts('TaskRun').finalizer))
      problems.push(`${at}: no finalizer`);
    if (want.attempts > 0 && status.jobName !== taskRunStrategy.jobName(run, want.attempts))
      problems.push(`${at}: status.jobName ${status.jobName}`);
  }
  return problems;
}
