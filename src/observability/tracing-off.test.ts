// Tracing off (no OTEL_* asks for it): no SDK is loaded, and every instrumentation point is the
// plain code path, so nothing is paid for traces nobody collects.
import { createRequire } from 'node:module';
import Koa from 'koa';
import t from 'tap';
import { allowAll } from '../../test/harness/fakes/access-reviewers.js';
import { defaultsPatch } from '../admission/defaults.js';
import type { AdmissionRequest } from '../admission/request.js';
import { staticConfig } from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import { admissionRoutes } from '../webhook/handlers.js';
import { apiCall } from './api-spans.js';
import { tracingMiddleware } from './koa.js';
import { traceLogOptions } from './log-fields.js';
import { firstReconcileTraceOps } from './run-trace.js';
import { startTracing, tracingEnabled } from './tracing.js';

t.test('off: no SDK loaded, every point calls straight through', async (t) => {
  const tracing = await startTracing({ env: { OTEL_SERVICE_NAME: 'x' } });
  t.notOk(tracing.enabled);
  t.notOk(tracingEnabled());
  await tracing.shutdown();
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  t.notOk(
    loaded.some((k) => k.includes('@opentelemetry/sdk-')),
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
