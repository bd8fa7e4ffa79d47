// @needs otelcol (the CLI's OpenTelemetry export goes to a real Collector)
import path from 'node:path';
import t from 'tap';
import { defaulted } from '../../src/api/index.js';
import { attemptJob } from '../../src/controllers/agent/index.js';
import { RUN_STRATEGIES } from '../../src/controllers/kind/strategy.js';
import { loadTemplateSet, renderCodeRun } from '../../src/render/index.js';
import { sampleCodeRun } from '../../src/render/samples.js';
import { agentCliBinary, apiKeyConfig } from '../harness/agent/agent-cli.js';
import { entryFixture } from '../harness/agent/entry-script.js';
import { offlineNamespace } from '../harness/cluster/offline.js';
import { say, tool } from '../harness/remote/model-script.js';
import { modelStandinProcess } from '../harness/remote/model-standin-process.js';
import { startCollector } from '../harness/remote/otel-collector.js';
import { waitFor } from '../harness/util/wait.js';

const API_KEY = 'sk-ant-standin-dummy';

t.test("an attempt's agent sends its metrics and events to the collector, tied to its run", async (t) => {
  const offline = await offlineNamespace(t);
  const prefix = offline.prefix ?? [];
  const collector = await startCollector(t, { prefix });
  const config = apiKeyConfig();
  config.agentTelemetry = {
    enabled: true,
    endpoint: collector.endpoint,
    protocol: 'http/json',
    metrics: true,
    logs: true,
    exportIntervalSeconds: 1,
  };
  const f = entryFixture(t, { agentCli: agentCliBinary(), prefix });
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { 'services/payments/x.txt': 'x\n' });
  const docs = f.origin(path.join(f.root, 'docs.git'), 'main', {
    'projects/payments/.taskmaster/docs/task-7/task.md': '# Seven\n',
  });
  const sample = sampleCodeRun({ agent: 'rex', preset: 'minimal', continuing: false }, config);
  Object.assign(sample.spec, { repositoryUrl: repo, docsRepositoryUrl: docs });
  sample.metadata = { ...sample.metadata, namespace: 'team-a' };
  const run = defaulted('CodeRun', sample, config);
  const rendered = renderCodeRun(loadTemplateSet(), run, config, 2, f.options);
  const workDir = path.join(rendered.context.paths.repo ?? '', 'services/payments');

  // What the operator gives the agent container: its telemetry variables, by value.
  const job = attemptJob({ strategy: RUN_STRATEGIES.CodeRun, run, config, attempt: 2 });
  const spec = job.spec as {
    template: { spec: { initContainers: { name: string; env: { name: string; value?: string }[] }[] } };
  };
  const env = spec.template.spec.initContainers.find((c) => c.name === 'agent')?.env ?? [];
  const telemetry = Object.fromEntries(
    env
      .filter((e) => /^(OTEL_|CLAUDE_CODE_ENABLE_TELEMETRY)/.test(e.name))
      .map((e) => [e.name, e.value ?? '']),
  );
  t.match(telemetry, {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_RESOURCE_ATTRIBUTES: /orchestrator\.run\.name=/,
  });

  const model = await modelStandinProcess(t, f.root, {
    apiKey: API_KEY,
    prefix,
    script: [
      tool('Write', { file_path: path.join(workDir, 'hello.txt'), content: 'hello\n' }),
      say('Wrote hello.txt.'),
    ],
  });
  const r = f.run(rendered, {
    ...telemetry,
    ANTHROPIC_BASE_URL: model.base,
    ANTHROPIC_API_KEY: API_KEY,
    NODE_EXTRA_CA_CERTS: model.caFile,
  });
  t.equal(r.status, 0, 'the entry script exits 0', { log: r.status === 0 ? '' : r.log });

  const ours = {
    'k8s.namespace.name': 'team-a',
    'k8s.job.name': job.metadata?.name,
    'orchestrator.run.kind': 'CodeRun',
    'orchestrator.run.name': run.metadata?.name,
    'orchestrator.run.attempt': '2',
    'orchestrator.agent': 'rex',
  };
  // The CLI exports on exit; the collector writes its file every 100 ms.
  const cost = await waitFor(`the agent's cost metric in the collector (log: ${collector.logFile})`, () =>
    collector.metrics().find((m) => m.name === 'claude_code.cost.usage'),
  );
  t.match(cost.resource, ours, "the cost metric carries the run's resource attributes");
  const tokens = collector.metrics().filter((m) => m.name === 'claude_code.token.usage');
  t.ok(tokens.length > 0, 'token usage was exported');
  t.ok(
    tokens.every((m) => m.resource['orchestrator.run.name'] === run.metadata?.name),
    'every token data point is tied to the run',
  );
  const events = await waitFor('the agent events (OpenTelemetry logs) in the collector', () => {
    const logs = collector.logs();
    return logs.some((l) => /api_request/.test(l.name)) ? logs : undefined;
  });
  t.ok(
    events.every((e) => e.resource['orchestrator.run.attempt'] === '2'),
    'every event is tied to the attempt',
  );
});
