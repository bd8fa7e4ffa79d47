// The shipped dashboard and alerts against real replicas: two `orchestrator run` processes installed as
// the Deployment runs them (test/harness/operator/installed-replicas.ts) admit and reconcile TaskRuns (one
// succeeds and reports a pull request, one fails, one is denied); a real Prometheus scrapes both as the
// ServiceMonitor says (HTTPS checked against the CA and the Service's name, the scraper
// ServiceAccount's bearer token), labelled as its targets are, and loads the PrometheusRule's rules. Every dashboard
// query must return series, with the labels its legend names; the only exceptions are error ratios that
// are empty because nothing failed, which are listed below and checked to be so. The queries on what
// the runs did must show them (not only counters at 0). No alert may be pending or firing on this
// healthy install (but the latency alert, which depends on the machine's speed).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { ensureDist } from '../../scripts/build.js';
import { runPath } from '../../src/cli/kinds.js';
import { WORKFLOW_LABEL } from '../../src/controllers/play/stage-report.js';
import { RESULT_PROTOCOL } from '../../src/controllers/pods/agent-result.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { kubectl, testCluster } from '../harness/cluster/cluster.js';
import { ensureArgoCrds } from '../harness/deploy/argo.js';
import { workflowsPath } from '../harness/deploy/argo-workflows.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { scrapeJob } from '../harness/deploy/metrics-scrape.js';
import {
  alertGroups,
  concrete,
  dashboard,
  dashboardQueries,
  prometheusData,
  prometheusQuery,
  startPrometheus,
} from '../harness/deploy/monitoring.js';
import { applyInvalidRun, installReplicas } from '../harness/operator/installed-replicas.js';
import {
  attemptNames,
  finishJob,
  sampleCodeRun,
  sampleTaskRun,
  taskRunJob,
  taskRunPath,
  untilJob,
} from '../harness/operator/operator.js';
import { waitFor } from '../harness/util/wait.js';

const JOB = 'orchestrator-metrics';
/**
 * Error ratios allowed to return nothing, and the query of their errors that proves why: when the ratio
 * is empty, that one must be empty too (no series of a failed request exists).
 */
const EMPTY_WHEN_NO_ERRORS: Record<string, string> = {
  'Error ratio (5xx) / A': `controller_runtime_webhook_requests_total{job="${JOB}", code=~"5.."}`,
  'API error ratio / A': `rest_client_requests_total{job="${JOB}", code=~"5..|<error>"}`,
};
/**
 * Queries on what the runs did: their counters and histograms exist at 0 (or as NaN quantiles) before
 * any run, so returning series is not enough; each must have a positive value.
 */
const MADE_BY_THE_RUNS = [
  'Runs finished by kind and outcome (last hour) / A',
  'Runs finished by agent and outcome (last hour) / A',
  'Pull requests opened (last hour) / A',
  'Run duration (last hour) / A',
  'Run duration (last hour) / B',
  'Time to agent running (last hour) / A',
  'Time to agent running (last hour) / B',
  'Agent spend (last hour) / A',
  'Spend by model (last hour) / A',
  'Tokens /s by type / A',
  'Budget used / A',
  'Play stages ended by stage and outcome (last hour) / A',
  'Play stage retries by stage and cause (last hour) / A',
];
const PULL_REQUEST = 'https://github.com/acme/payments/pull/42';
/** The App of the play's stage: the seed's implementation App, which the replicas' config names. */
const STAGE_APP = '5DLabs-Rex';
/**
 * Alerts on how fast this machine is, not on what the install does: a few slow first admission requests
 * on a loaded test machine make the p99 over 1 s (pending; it fires only after 10 minutes of it).
 */
const SPEED_DEPENDENT = ['OrchestratorWebhookLatencyHigh'];

if (!ensureDist()) throw new Error('building dist/ failed');
const cluster = await testCluster();
await ensureCrds(cluster);
await ensureArgoCrds(cluster, 'minimal');

t.test('every dashboard query returns data from two replicas that reconciled runs', async (t) => {
  const { namespace, podNamespace, replicas, client, metrics, caPem } = await installReplicas(t, cluster, {
    prefix: 'dash',
    change: (c) => {
      // Not shipped: the gateway off. The simulated agents call no model, so the only spend the spend
      // panels can show is what they report; the gateway's own figures are gateway-ledger.test.ts's.
      c.gateway = { ...c.gateway, enabled: false };
      c.retries = { ...c.retries, maxRetries: 0 };
      c.budgets = [{ name: 'dash', limitUsd: '100', window: 'month' }];
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-queries-'));

  // Prometheus as the Prometheus Operator configures it from the ServiceMonitor and the PrometheusRule.
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: alertGroups() }));
  const scrapeConfig = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [join(dir, 'rules.yaml')],
    scrape_configs: [
      scrapeJob(metrics, caPem, dir, {
        job_name: JOB,
        static_configs: replicas.map((r) => ({
          targets: [`127.0.0.1:${r.metricsPort}`],
          labels: { namespace: podNamespace, pod: r.pod },
        })),
      }),
    ],
  };
  const port = await startPrometheus(t, dir, scrapeConfig);

  // Two scrapes of each replica before anything happens, so that rate() has its two samples. Counted
  // per replica: a min over the series is satisfied by the one replica scraped first.
  const scraped = `count(count_over_time(up{job="${JOB}"}[1m]) >= 2) == ${replicas.length}`;
  await waitFor('Prometheus to scrape both replicas twice', async () => {
    const answer = await prometheusQuery(port, scraped).catch(() => undefined);
    return answer?.result.length === 1 && answer.result[0]?.metric !== undefined;
  });
  type Targets = { activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }> };
  const { activeTargets } = await prometheusData<Targets>(port, '/api/v1/targets');
  t.same(
    activeTargets.map(
      (target) => `${target.scrapeUrl.replace(/:\d+\//, ':PORT/')} ${target.health} ${target.lastError}`,
    ),
    replicas.map(() => `https://127.0.0.1:PORT/metrics up `),
    'both replicas scraped over HTTPS with the token',
  );

  // Runs through the webhooks, as a user applies them: one succeeds (its agent reports a pull request),
  // one fails, one is denied.
  const apply = async (name: string, taskId: number) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, stringify(sampleTaskRun(name, taskId)));
    return kubectl(cluster, ['apply', '-n', namespace, '-f', file]);
  };
  for (const [name, taskId] of [
    ['dash-ok', 1],
    ['dash-fail', 2],
  ] as const) {
    const applied = await apply(name, taskId);
    t.equal(applied.code, 0, `${name} applied through the webhooks ${applied.stderr}`);
  }
  // A stage of a play: a CodeRun a Workflow created (coderun-template's label and owner), of a second
  // quality round (a push's retry, by its name as orchestrator-play names it), which fails.
  const workflow = await client.request<KubeObject>('POST', workflowsPath(namespace), {
    body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'play-dash' }, spec: {} },
  });
  // A service of its own: one workspace runs one run at a time, and the TaskRuns' is payments'.
  const stage = sampleCodeRun('dash-quality-r2', { githubApp: STAGE_APP, service: 'ledger' });
  const owned = {
    ...stage,
    metadata: {
      ...stage.metadata,
      labels: { [WORKFLOW_LABEL]: 'play-dash' },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          name: 'play-dash',
          uid: String(workflow.metadata?.uid),
        },
      ],
    },
  };
  await client.request('POST', runPath('CodeRun', namespace), { body: owned });
  const denied = await applyInvalidRun(cluster, namespace);
  t.match(denied.stderr, /denied the request/, 'an invalid run is denied');
  // The agent's usage as the entry script reports it (docs/result-protocol.md), for the model the run
  // was admitted with: the one whose spend series started at 0 when its agent ran.
  const admitted = await client.request<KubeObject>('GET', taskRunPath(namespace, 'dash-ok'));
  const model = String((admitted.spec as { model?: string }).model);
  const usage = {
    costUsd: '0.75',
    inputTokens: 3000,
    outputTokens: 400,
    cacheReadInputTokens: 9000,
    turns: 5,
    models: [{ model, costUsd: '0.75', inputTokens: 3000, outputTokens: 400 }],
  };
  const result = JSON.stringify({ protocol: RESULT_PROTOCOL, pullRequestUrl: PULL_REQUEST, usage });
  for (const [name, outcome, phase, message] of [
    ['dash-ok', 'Complete', 'Succeeded', result],
    ['dash-fail', 'Failed', 'Failed', undefined],
  ] as const) {
    const job = await waitFor(`the Job of ${name}`, async () => {
      const run = await client.request<KubeObject>('GET', taskRunPath(namespace, name));
      return (run.status as { phase?: string } | undefined)?.phase === 'Running'
        ? taskRunJob(client, namespace, name)
        : undefined;
    });
    // A run's spend series starts at 0 when its agent runs, minutes before its usage is counted;
    // here the agent ends at once, so wait for a scrape of the 0, or increase() sees no increase.
    if (message)
      await waitFor(`Prometheus to see the spend series of ${name} at 0`, async () => {
        const zero = `sum(orchestrator_agent_cost_usd_total{job="${JOB}", run_namespace="${namespace}"}) == 0`;
        const answer = await prometheusQuery(port, zero).catch(() => undefined);
        return (answer?.result.length ?? 0) > 0;
      });
    await finishJob(client, namespace, job, outcome, message);
    const status = await waitFor(`${name} ${phase}`, async () => {
      const run = await client.request<KubeObject>('GET', taskRunPath(namespace, name));
      const status = run.status as { phase?: string; pullRequestUrl?: string } | undefined;
      return status?.phase === phase ? status : undefined;
    });
    if (message) t.equal(status.pullRequestUrl, PULL_REQUEST, `${name}: the agent's pull request`);
  }

  const { job: stageJob } = await attemptNames(client, namespace, 'CodeRun', 'dash-quality-r2');
  await untilJob(client, namespace, stageJob, 'the Job of the play stage dash-quality-r2');
  // Its series start at 0 while it runs: wait for a scrape of them, or increase() sees no increase.
  await waitFor("Prometheus to see the play stage's series at 0", async () => {
    const zero = `sum(orchestrator_play_stage_outcomes_total{job="${JOB}", run_namespace="${namespace}"}) == 0`;
    const answer = await prometheusQuery(port, zero).catch(() => undefined);
    return (answer?.result.length ?? 0) > 0;
  });
  await finishJob(client, namespace, stageJob, 'Failed');

  // Prometheus has scraped both replicas since, and evaluated every rule.
  const finished = `count(max by (phase) (orchestrator_runs{job="${JOB}", kind="TaskRun", phase=~"Succeeded|Failed"}) == 1)`;
  const counted = `sum(orchestrator_runs_finished_total{job="${JOB}", kind="TaskRun"}) + sum(orchestrator_pull_requests_opened_total{job="${JOB}"})`;
  const staged = `sum(orchestrator_play_stage_outcomes_total{job="${JOB}", outcome="Failed"})`;
  for (const [what, query, expected] of [
    ['both finished runs', finished, '2'],
    ["the leader's counts of both runs and the pull request", counted, '3'],
    ["the leader's count of the play's failed stage", staged, '1'],
  ] as const)
    await waitFor(`Prometheus to see ${what}`, async () => {
      const answer = await prometheusQuery(port, query).catch(() => undefined);
      return answer?.result[0]?.value[1] === expected;
    });
  type RuleGroups = { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
  await waitFor('every rule evaluated', async () => {
    const { groups } = await prometheusData<RuleGroups>(port, '/api/v1/rules');
    return groups.flatMap((g) => g.rules).every((r) => r.health === 'ok');
  });

  const queries = dashboardQueries();
  for (const q of queries) {
    const expr = concrete(q.expr, podNamespace);
    const answer = await prometheusQuery(port, expr);
    t.equal(answer.status, 'success', `${q.name}: ${answer.error ?? 'evaluated'}`);
    const because = EMPTY_WHEN_NO_ERRORS[q.name];
    if (because && answer.result.length === 0) {
      t.same((await prometheusQuery(port, because)).result, [], `${q.name}: empty, as ${because} is`);
      continue;
    }
    t.ok(answer.result.length > 0, `${q.name}: returns series (${expr})`);
    if (MADE_BY_THE_RUNS.includes(q.name))
      t.ok(
        answer.result.some((series) => Number(series.value[1]) > 0),
        `${q.name}: shows the runs ${JSON.stringify(answer.result)}`,
      );
    const legendLabels = [...q.legendFormat.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] as string);
    for (const series of answer.result)
      for (const label of legendLabels)
        t.ok(series.metric[label], `${q.name}: the legend's ${label} is in ${JSON.stringify(series.metric)}`);
  }
  t.comment(`${queries.length} queries evaluated`);

  // Two replicas, one leader, whatever replica leads: the aggregates say so.
  const value = async (name: string) => {
    const q = queries.find((x) => x.name === name);
    return (await prometheusQuery(port, concrete(q?.expr ?? '', podNamespace))).result[0]?.value[1];
  };
  t.equal(await value('Leaders / A'), '1', 'one leader over both replicas');
  t.equal(await value('Replicas up / A'), '2', 'both replicas up');
  const finishedBy = await prometheusQuery(
    port,
    concrete(queries.find((x) => x.name === MADE_BY_THE_RUNS[0])?.expr ?? '', podNamespace),
  );
  const outcomes = finishedBy.result
    .filter((s) => s.metric.kind === 'TaskRun' && Number(s.value[1]) > 0)
    .map((s) => s.metric.outcome)
    .sort();
  t.same(outcomes, ['Failed', 'Succeeded'], 'one TaskRun finished of each outcome');

  // The variables list this namespace and every replica.
  for (const variable of dashboard().templating.list.filter((v) => v.type === 'query')) {
    const definition = (variable.query as { query: string }).query;
    const match = /^label_values\((.+), (\w+)\)$/.exec(definition);
    t.ok(match, `${variable.name}: label_values(selector, label)`);
    const answer = await prometheusQuery(port, concrete(match?.[1] ?? '', podNamespace));
    const values = [...new Set(answer.result.map((s) => s.metric[match?.[2] ?? '']))].sort();
    const expected = variable.name === 'pod' ? replicas.map((r) => r.pod).sort() : [podNamespace];
    t.same(values, expected, `${variable.name}: ${definition}`);
  }

  const { alerts } = await prometheusData<{
    alerts: Array<{ labels: { alertname: string }; state: string }>;
  }>(port, '/api/v1/alerts');
  t.same(
    alerts
      .filter((a) => !SPEED_DEPENDENT.includes(a.labels.alertname))
      .map((a) => `${a.labels.alertname} ${a.state}`),
    [],
    `no alert is pending or firing on a healthy install (${SPEED_DEPENDENT.join(', ')} aside)`,
  );
});
