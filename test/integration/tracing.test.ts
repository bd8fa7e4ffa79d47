// One run followed through a real OpenTelemetry Collector: a TaskRun applied with kubectl through the
// webhooks and reconciled by the operator, both tracing through the standard OTEL_* variables,
// makes one trace holding its admission reviews and every reconcile of it (with the API calls they
// made as children), and its Job's pod carries that trace as TRACEPARENT. With OTEL_LOGS_EXPORTER the
// operator's log lines and the run's Events reach the collector as log records too.
// @needs otelcol
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { stringify } from 'yaml';
import type { TaskRun } from '../../src/api/index.js';
import { withLogExport } from '../../src/observability/log-export.js';
import { traceLogOptions } from '../../src/observability/log-fields.js';
import { TRACE_ANNOTATION } from '../../src/observability/traceparent.js';
import { startTracing } from '../../src/observability/tracing.js';
import { type CoreEvent, EVENTS, type KubeObject, resourcePath } from '../../src/runtime/index.js';
import { kubectl } from '../harness/cluster/cluster.js';
import {
  finishJob,
  jobPath,
  sampleTaskRun,
  taskRunJob,
  taskRunPath,
  testConfig,
  untilJob,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { type CollectedSpan, startCollector } from '../harness/remote/otel-collector.js';
import { waitFor } from '../harness/util/wait.js';

const collector = await startCollector(t);
// As a Deployment would configure it; a short batch delay so the spans arrive while the test waits.
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
process.env.OTEL_LOGS_EXPORTER = 'otlp';
process.env.OTEL_BLRP_SCHEDULE_DELAY = '200';
const tracing = await startTracing();
t.teardown(() => tracing.shutdown());
const suite = await reconcileSuite();
const { cluster } = suite;

/** The operator's log lines, as JSON objects. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return {
    lines,
    logger: pino(
      { level: 'info', ...traceLogOptions(tracing.enabled) },
      withLogExport(stream, tracing.logs.enabled),
    ),
  };
}

const byName = (spans: CollectedSpan[], name: string) => spans.filter((s) => s.name === name);

t.test('one TaskRun applied with kubectl is one trace, from admission to its Job', async (t) => {
  t.ok(tracing.enabled, `tracing is on (${tracing.reason})`);
  const webhooks = await startTestWebhooks(t, cluster);
  const { lines, logger } = capturedLogger();
  const config = testConfig((c) => {
    c.cleanup = { ttlSecondsAfterFinished: 1 };
  });
  const operator = await suite.start(t, config, { logger, namespaceLabels: webhooks.namespaceLabels });
  const { namespace, client } = operator;
  const name = 'traced';
  const manifest: TaskRun = sampleTaskRun(name, 41);
  const applied = await kubectl(cluster, ['apply', '-n', namespace, '-f', '-'], stringify(manifest));
  t.equal(applied.code, 0, `kubectl apply: ${applied.stderr}`);

  const run = await client.request<TaskRun>('GET', taskRunPath(namespace, name));
  const traceParent = run.metadata?.annotations?.[TRACE_ANNOTATION] ?? '';
  t.match(traceParent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'the mutating webhook stored the run its trace');
  const [, traceId, rootSpan] = traceParent.split('-');

  const job = await taskRunJob(client, namespace, name);
  await untilJob(client, namespace, job, `the Job of ${name}`);
  const created = await client.request<KubeObject>('GET', jobPath(namespace, job));
  const agent = (
    created.spec as {
      template: {
        spec: { initContainers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> };
      };
    }
  ).template.spec.initContainers.find((c) => c.name === 'agent');
  t.equal(
    agent?.env?.find((e) => e.name === 'TRACEPARENT')?.value,
    traceParent,
    "the agent container's TRACEPARENT is the run's trace context",
  );

  // The agent finishes; the run succeeds and, a second later, is deleted (cleanup): every step of
  // its life is a reconcile of the same trace.
  await finishJob(client, namespace, job, 'Complete');
  await waitFor(`TaskRun ${name} deleted`, async () => {
    const res = await kubectl(cluster, ['get', 'otr', name, '-n', namespace, '-o', 'name']);
    return res.code !== 0 && /NotFound/.test(res.stderr);
  });

  const ofRun = (s: CollectedSpan) =>
    s.attributes['orchestrator.run.name'] === name && s.attributes['k8s.namespace.name'] === namespace;
  // A span is exported when it ends, and a call ends before the reconcile around it: wait until every
  // span of the trace has its parent collected too, or a batch boundary would split a call from it.
  const spans = await waitFor('the deletion, the finalizer and every parent span in the trace', (note) => {
    const all = collector.spans();
    const ofTrace = all.filter((s) => s.traceId === traceId);
    const names = new Set(ofTrace.map((s) => s.name));
    const ids = new Set(ofTrace.map((s) => s.spanId));
    const orphans = ofTrace.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId));
    note({ names: [...names], orphans: orphans.map((s) => s.name) });
    return (
      names.has('DELETE agenttaskruns') && names.has('PATCH agenttaskruns') && orphans.length === 0 && all
    );
  });
  // A reconcile after the run left the cache cannot know its trace (the run is gone): its own trace.
  const [known, gone] = [
    spans.filter((s) => ofRun(s) && s.attributes['orchestrator.run.cached'] !== false),
    spans.filter((s) => ofRun(s) && s.attributes['orchestrator.run.cached'] === false),
  ];
  t.same(
    [...new Set(known.map((s) => s.traceId))],
    [traceId],
    "every review and reconcile of the run is in the run's trace",
  );
  t.ok(
    gone.every((s) => s.parentSpanId === '' && s.name === 'reconcile taskrun'),
    'but a reconcile of the run gone from the cache, a root span of its own',
  );
  const trace = spans.filter((s) => s.traceId === traceId);
  t.ok(
    trace.every((s) => s.service === 'orchestrator'),
    'every span is the orchestrator service',
  );

  const [mutate, ...moreMutates] = byName(trace, 'mutate TaskRun').filter(
    (s) => s.attributes['orchestrator.admission.operation'] === 'CREATE',
  );
  t.equal(moreMutates.length, 0, 'one mutating review of the CREATE');
  t.equal(mutate?.spanId, rootSpan, "the CREATE's mutating review is the run's trace context");
  t.equal(mutate?.parentSpanId, '', '… and the root of the trace');
  t.equal(mutate?.kind, 2, 'a server span');
  t.match(mutate?.attributes, {
    'orchestrator.admission.allowed': true,
    'orchestrator.run.kind': 'TaskRun',
    'k8s.namespace.name': namespace,
  });
  t.ok(Number(mutate?.attributes['orchestrator.admission.patch_operations']) > 1, 'the defaults patched');
  const validations = byName(trace, 'validate TaskRun');
  t.ok(
    validations.some(
      (s) =>
        s.attributes['orchestrator.admission.operation'] === 'CREATE' &&
        s.attributes['orchestrator.admission.allowed'] === true &&
        s.parentSpanId === rootSpan,
    ),
    "the CREATE's validating review is a child of the run's context",
  );

  const reconciles = byName(trace, 'reconcile taskrun');
  t.ok(reconciles.length >= 3, `the run's reconciles are in its trace (${reconciles.length})`);
  t.ok(
    reconciles.every(
      (s) => s.parentSpanId === rootSpan && s.attributes['orchestrator.controller'] === 'taskrun',
    ),
    "each reconcile is a child of the run's context",
  );
  t.ok(
    reconciles.every((s) =>
      ['success', 'error', 'requeue', 'requeue_after'].includes(
        String(s.attributes['orchestrator.reconcile.result']),
      ),
    ),
    'each says what the reconcile decided',
  );
  t.ok(
    reconciles.some((s) => s.attributes['orchestrator.run.attempt'] === 1),
    'the attempt is on the reconcile span',
  );

  const reconcileIds = new Set(reconciles.map((s) => s.spanId));
  const calls = trace.filter((s) => s.kind === 3);
  t.ok(calls.length > 0, 'the API calls are in the trace');
  t.ok(
    calls.every((s) => reconcileIds.has(s.parentSpanId)),
    'every API call is a child of a reconcile',
  );
  for (const name of ['POST jobs', 'POST configmaps', 'PUT agenttaskruns/status'])
    t.ok(
      calls.some((s) => s.name === name),
      `${name} is one of them`,
    );
  const createJob = calls.find((s) => s.name === 'POST jobs');
  t.equal(createJob?.attributes['http.request.method'], 'POST');
  t.equal(createJob?.attributes['url.path'], jobPath(namespace));

  const deletedLine = lines.find((l) => l.msg === 'finished run deleted (cleanup.ttlSecondsAfterFinished)');
  t.ok(deletedLine, 'the operator logged the deletion');
  t.equal(deletedLine?.trace_id, traceId, 'the log line written in the reconcile carries its trace id');
  t.ok(reconcileIds.has(String(deletedLine?.span_id)), "… and its reconcile's span id");
  t.ok(
    lines.filter((l) => l.msg === 'controller started').every((l) => l.trace_id === undefined),
    'a line written outside any span has none',
  );

  // The same line and every Event of the run, as log records at the collector.
  t.ok(tracing.logs.enabled, `log export is on (${tracing.logs.reason})`);
  const events = (
    await client.request<{ items: CoreEvent[] }>('GET', resourcePath(EVENTS, namespace))
  ).items.filter((e) => e.involvedObject?.name === name);
  t.ok(events.length > 0, `the run has Events (${events.map((e) => e.reason).join(', ')})`);
  const records = await waitFor('the deletion line and each Event of the run as log records', (note) => {
    const all = collector.logs().filter((r) => r.resource['service.name'] === 'orchestrator');
    const ofRun = all.filter(
      (r) => r.attributes['k8s.object.name'] === name && r.attributes['k8s.namespace.name'] === namespace,
    );
    const line = all.find((r) => r.name === deletedLine?.msg);
    note({ records: all.length, ofRun: ofRun.length });
    return line && ofRun.length >= events.length && { line, ofRun };
  });
  t.equal(records.line.traceId, traceId, "the line's record is in the reconcile's trace");
  for (const event of events)
    t.ok(
      records.ofRun.some(
        (r) =>
          r.attributes['k8s.event.reason'] === event.reason &&
          r.attributes['k8s.event.type'] === event.type &&
          r.attributes['k8s.object.kind'] === 'TaskRun' &&
          r.name === event.message,
      ),
      `the Event ${event.reason} is a record with its type and message`,
    );
});
