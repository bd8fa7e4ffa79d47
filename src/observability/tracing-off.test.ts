// Tracing off (no OTEL_* asks for it): no SDK is loaded, and every instrumentation point is the
// plain code path, so nothing is paid for traces nobody collects.
import { registerHooks } from 'node:module';
import t from 'tap';
import type { AdmissionRequest } from '../admission/request.js';

// Every module the process resolves from here on, the ones below included: the SDK is ESM, so it
// would not show in require.cache. The modules under test are imported after the hook, dynamically.
const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, next) {
    const answer = next(specifier, context);
    resolved.push(answer.url);
    return answer;
  },
});
const Koa = (await import('koa')).default;
const { allowAll } = await import('../../test/harness/fakes/access-reviewers.js');
const { defaultsPatch } = await import('../admission/defaults.js');
const { staticConfig } = await import('../api/index.js');
const { loadDefaultConfig } = await import('../config/load.js');
const { admissionRoutes } = await import('../webhook/handlers.js');
const { apiCall } = await import('./api-spans.js');
const { tracingMiddleware } = await import('./koa.js');
const { traceLogOptions } = await import('./log-fields.js');
const { firstReconcileTraceOps } = await import('./run-trace.js');
const { startTracing, tracingEnabled } = await import('./tracing.js');

t.test('off: no SDK loaded, every point calls straight through', async (t) => {
  const tracing = await startTracing({ env: { OTEL_SERVICE_NAME: 'x' } });
  t.notOk(tracing.enabled);
  t.notOk(tracingEnabled());
  await tracing.shutdown();
  t.ok(
    resolved.some((url) => url.includes('/@opentelemetry/api/')),
    'the observer saw the modules load (the API among them)',
  );
  t.notOk(
    resolved.some((url) => url.includes('/@opentelemetry/sdk-')),
    'no OpenTelemetry SDK module in the process',
  );

  const config = loadDefaultConfig();
  const mutate = admissionRoutes({ config: staticConfig(config), reviewer: allowAll() }).find(
    (r) => r.name === 'mutate-taskrun',
  );
  const object = {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: 'a' },
    spec: { taskId: 1, serviceName: 's', markdownFiles: [{ filename: 'a.md', content: '' }] },
  };
  const request: AdmissionRequest = {
    uid: 'u',
    kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
    operation: 'CREATE',
    name: 'a',
    namespace: 'n',
    object,
  };
  const result = await mutate?.handle(request);
  t.same(
    result?.allowed && result.patch,
    defaultsPatch('TaskRun', object, config),
    'the patch is the defaults alone: no trace annotation',
  );

  let calls = 0;
  t.equal(
    await apiCall('GET', '/api/v1/pods', async () => {
      calls++;
      return 'sent';
    }),
    'sent',
  );
  t.equal(calls, 1);
  t.same(firstReconcileTraceOps({ metadata: {} }), []);
  t.same(traceLogOptions(false), {}, 'no pino mixin');

  const app = new Koa();
  app.use(tracingMiddleware('rest'));
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  const server = app.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  t.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok', 'the middleware passes through');
});
