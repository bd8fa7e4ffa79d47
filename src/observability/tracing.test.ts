// Tracing on, with the spans kept in memory: what each instrumentation point records, and how a
// run's reviews and reconciles join its trace. (tracing-off.test.ts: the same points with it off.)
import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import * as sdk from '@opentelemetry/sdk-trace';
import Koa from 'koa';
import pino from 'pino';
import t, { type Test } from 'tap';
import { allowAll } from '../../test/harness/fakes/access-reviewers.js';
import type { AdmissionRequest, PatchOperation } from '../admission/request.js';
import { staticConfig } from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import type { Reconciler } from '../runtime/reconciler.js';
import { admissionRoutes } from '../webhook/handlers.js';
import { apiCall } from './api-spans.js';
import { tracingMiddleware } from './koa.js';
import { traceLogOptions } from './log-fields.js';
import { tracedReconciler } from './reconcile-spans.js';
import { firstReconcileTraceOps, runTraceContext } from './run-trace.js';
import { TRACE_ANNOTATION } from './traceparent.js';
import { inSpan, startTracing, tracingEnabled } from './tracing.js';

const exporter = new sdk.InMemorySpanExporter();
const processor = new sdk.SimpleSpanProcessor({ exporter });
const tracing = await startTracing({ spanProcessors: [processor] });
t.teardown(() => tracing.shutdown());
t.beforeEach(() => exporter.reset());
// The processor exports once the resource's attributes are known (detected asynchronously).
const spans = async () => {
  await processor.forceFlush();
  return exporter.getFinishedSpans();
};
const spanNamed = async (name: string) => (await spans()).find((s) => s.name === name);
const parentOf = (span: sdk.ReadableSpan | undefined) => span?.parentSpanContext?.spanId;

const runContext = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const [, runTraceId, runSpanId] = runContext.split('-');
/** The span is in the run's trace, a child of the run's context. */
function childOfRun(t: Test, span: sdk.ReadableSpan | undefined): void {
  t.equal(span?.spanContext().traceId, runTraceId, "in the run's trace");
  t.equal(parentOf(span), runSpanId, "a child of the run's context");
}
const reconcileContext = () => ({
  signal: new AbortController().signal,
  logger: pino({ level: 'silent' }),
  retries: 0,
});

t.test('the SDK is loaded and tracing is on', async (t) => {
  t.ok(tracing.enabled);
  t.ok(tracingEnabled());
  const span = trace.getTracer('test').startSpan('probe');
  t.ok(span.isRecording(), "the global tracer is the SDK's: its spans record");
  span.end();
});

const routes = Object.fromEntries(
  admissionRoutes({ config: staticConfig(loadDefaultConfig()), reviewer: allowAll() }).map((r) => [
    r.path,
    r,
  ]),
);
const mutate = routes['/mutate-orchestrator-io-v1-taskrun'];
const validate = routes['/validate-orchestrator-io-v1-taskrun'];
const taskRun = (annotations?: Record<string, string> | null) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name: 'a', ...(annotations === undefined ? {} : { annotations }) },
  spec: { taskId: 1, serviceName: 's', markdownFiles: [{ filename: 'a.md', content: '' }] },
});
const review = (object: object, over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'u',
  kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
  operation: 'CREATE',
  name: 'a',
  namespace: 'n',
  object: object as Record<string, unknown>,
  ...over,
});
/** A requester as an apiserver states one (the validating webhook asks RBAC about them). */
const REQUESTER = { username: 'alice', groups: ['system:authenticated'] };
const patchOf = async (request: AdmissionRequest): Promise<PatchOperation[]> => {
  const result = await mutate?.handle(request);
  return result?.allowed ? (result.patch ?? []) : [];
};

t.test("a CREATE's mutating review starts the run's trace and stores it on the run", async (t) => {
  const patch = await patchOf(review(taskRun()));
  const span = await spanNamed('mutate TaskRun');
  t.equal(parentOf(span), undefined, 'a root span');
  t.match(span?.attributes, {
    'orchestrator.admission.webhook': '/mutate-orchestrator-io-v1-taskrun',
    'orchestrator.admission.operation': 'CREATE',
    'orchestrator.admission.allowed': true,
    'orchestrator.run.kind': 'TaskRun',
    'orchestrator.run.name': 'a',
    'k8s.namespace.name': 'n',
  });
  const context = `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`;
  t.same(patch.at(-1), {
    op: 'add',
    path: '/metadata/annotations',
    value: { [TRACE_ANNOTATION]: context },
  });
  t.equal(
    span?.attributes['orchestrator.admission.patch_operations'],
    patch.length,
    'the patch size, all of it',
  );

  const withOthers = await patchOf(review(taskRun({ team: 'x' })));
  t.same(
    withOthers.filter((op) => op.path.startsWith('/metadata/annotations')).map((op) => op.path),
    ['/metadata/annotations/orchestrator.io~1traceparent'],
    'added beside the annotations the run has',
  );
});

t.test('a review of a run with a trace context is a child of it; the value is never replaced', async (t) => {
  for (const kept of [runContext, 'not a traceparent']) {
    exporter.reset();
    const patch = await patchOf(review(taskRun({ [TRACE_ANNOTATION]: kept })));
    t.notOk(
      patch.some((op) => op.path.startsWith('/metadata/annotations')),
      `${kept}: the annotation stays as it is`,
    );
  }
  exporter.reset();
  await validate?.handle(review(taskRun({ [TRACE_ANNOTATION]: runContext }), { userInfo: REQUESTER }));
  const span = await spanNamed('validate TaskRun');
  childOfRun(t, span);
  t.equal(span?.attributes['orchestrator.admission.allowed'], true);
  // An UPDATE's patch adds no context either: only a CREATE starts a trace.
  t.notOk(
    (await patchOf(review(taskRun(), { operation: 'UPDATE' }))).some((op) => op.path.includes('annotations')),
  );
});

t.test('a denial is said with its rule; an internal error is an error', async (t) => {
  await validate?.handle(review({ ...taskRun(), spec: {} }, { userInfo: REQUESTER }));
  const span = await spanNamed('validate TaskRun');
  t.equal(span?.attributes['orchestrator.admission.allowed'], false);
  t.equal(span?.attributes['orchestrator.admission.rule'], 'schema');
  t.equal(span?.status.code, 0, 'a denial is not an error of ours');
});

t.test("a reconcile is a span of the run's trace, saying what it decided", async (t) => {
  const outcomes: Array<[Awaited<ReturnType<Reconciler['reconcile']>>, string]> = [
    [undefined, 'success'],
    [{ requeue: true }, 'requeue'],
    [{ requeueAfter: 5 }, 'requeue_after'],
    [{ requeueAfter: 0, requeue: true }, 'requeue'],
  ];
  for (const [outcome, result] of outcomes) {
    exporter.reset();
    const reconciler = tracedReconciler('taskrun', { reconcile: async () => outcome }, () => ({
      parent: runTraceContext({ metadata: { annotations: { [TRACE_ANNOTATION]: runContext } } }),
      attributes: { 'orchestrator.run.attempt': 2 },
    }));
    t.same(await reconciler.reconcile({ namespace: 'n', name: 'a' }, reconcileContext()), outcome);
    const span = await spanNamed('reconcile taskrun');
    childOfRun(t, span);
    t.match(span?.attributes, {
      'orchestrator.controller': 'taskrun',
      'orchestrator.run.name': 'a',
      'k8s.namespace.name': 'n',
      'orchestrator.run.attempt': 2,
      'orchestrator.reconcile.result': result,
    });
  }
  exporter.reset();
  const failing = tracedReconciler(
    'taskrun',
    {
      reconcile: async () => {
        throw new Error('boom');
      },
    },
    () => ({}),
  );
  await t.rejects(failing.reconcile({ namespace: 'n', name: 'b' }, reconcileContext()), /boom/);
  const span = await spanNamed('reconcile taskrun');
  t.equal(parentOf(span), undefined, 'without a run context: a trace of its own');
  t.equal(span?.attributes['orchestrator.reconcile.result'], 'error');
  t.equal(span?.status.code, 2, 'an error status');
  t.equal(span?.events[0]?.name, 'exception', 'the error recorded');
});

t.test('API calls are child spans inside a traced operation, and nowhere else', async (t) => {
  t.equal(await apiCall('GET', '/api/v1/namespaces/n/pods', async () => 'outside'), 'outside');
  t.equal((await spans()).length, 0, 'no span outside an operation');
  await inSpan('operation', {}, async () => {
    await apiCall('POST', '/apis/batch/v1/namespaces/n/jobs', async () => ({}));
    await t.rejects(
      apiCall('GET', '/apis/batch/v1/namespaces/n/jobs/j', async () => {
        throw Object.assign(new Error('not found'), { status: 404 });
      }),
    );
  });
  const operation = await spanNamed('operation');
  const post = await spanNamed('POST jobs');
  const get = await spanNamed('GET jobs');
  t.equal(parentOf(post), operation?.spanContext().spanId);
  t.match(post?.attributes, {
    'http.request.method': 'POST',
    'url.path': '/apis/batch/v1/namespaces/n/jobs',
    'k8s.namespace.name': 'n',
  });
  t.equal(post?.kind, 2, 'a client span');
  t.equal(get?.attributes['http.response.status_code'], 404);
  t.equal(get?.status.code, 2);
});

t.test(
  "a reconcile's first patch stores its span as the run's context, unless the run has one",
  async (t) => {
    t.same(firstReconcileTraceOps({ metadata: {} }), [], 'nothing outside a span');
    await inSpan('reconcile', {}, async (span) => {
      const context = `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
      t.same(firstReconcileTraceOps({ metadata: {} }), [
        { op: 'add', path: '/metadata/annotations', value: { [TRACE_ANNOTATION]: context } },
      ]);
      t.same(firstReconcileTraceOps({ metadata: { annotations: { a: 'b' } } }), [
        { op: 'add', path: '/metadata/annotations/orchestrator.io~1traceparent', value: context },
      ]);
      t.same(firstReconcileTraceOps({ metadata: { annotations: { [TRACE_ANNOTATION]: 'x' } } }), []);
    });
  },
);

t.test('a line logged inside a span carries its trace', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino(traceLogOptions(true), stream);
  logger.info('outside');
  await inSpan('work', {}, async (span) => {
    logger.child({ key: 'n/a' }).info('inside');
    const { traceId, spanId } = span.spanContext();
    t.match(lines[1], { msg: 'inside', trace_id: traceId, span_id: spanId, trace_flags: '01' });
  });
  t.notOk('trace_id' in (lines[0] ?? {}), 'a line outside has none');
});

t.test("a koa request is a server span, the caller's traceparent its parent", async (t) => {
  const app = new Koa();
  app.use(tracingMiddleware('rest'));
  app.use(async (ctx) => {
    Object.assign(ctx, { _matchedRoute: '/tasks/:id' });
    ctx.status = ctx.path === '/tasks/bad' ? 503 : 200;
    ctx.body = 'ok';
  });
  const server = app.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await fetch(`http://127.0.0.1:${port}/tasks/7`, { headers: { traceparent: runContext } });
  const span = await spanNamed('GET /tasks/:id');
  childOfRun(t, span);
  t.match(span?.attributes, {
    'orchestrator.server': 'rest',
    'http.route': '/tasks/:id',
    'url.path': '/tasks/7',
    'http.response.status_code': 200,
  });
  exporter.reset();
  await fetch(`http://127.0.0.1:${port}/tasks/bad`);
  t.equal((await spanNamed('GET /tasks/:id'))?.status.code, 2, 'a 5xx is an error');
  t.equal(parentOf(await spanNamed('GET /tasks/:id')), undefined, 'no traceparent: a trace of its own');
});
