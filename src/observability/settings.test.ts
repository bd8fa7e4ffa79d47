import t from 'tap';
import { logExportSettings, tracingSettings } from './settings.js';

t.test('tracing is on only when the OTEL_* variables ask for it', async (t) => {
  const cases: Array<[NodeJS.ProcessEnv, boolean]> = [
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'none,otlp' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp,none' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'false' }, true],
    // Metrics or logs alone are not traces.
    [{ OTEL_METRICS_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'x' }, false],
  ];
  for (const [env, enabled] of cases) {
    const settings = tracingSettings(env);
    t.equal(settings.enabled, enabled, `${JSON.stringify(env)}: ${settings.reason}`);
    t.ok(settings.reason.length > 0, 'says why');
  }
});

t.test('log records are exported only when the logs variables ask for it', async (t) => {
  const cases: Array<[NodeJS.ProcessEnv, boolean]> = [
    [{}, false],
    // The shared endpoint is the traces': a Deployment that traces keeps its logs on stdout.
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://collector:4318/v1/logs' }, true],
    [{ OTEL_LOGS_EXPORTER: 'otlp' }, true],
    [{ OTEL_LOGS_EXPORTER: 'console' }, true],
    [{ OTEL_LOGS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://c:4318' }, false],
    [{ OTEL_LOGS_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, false],
  ];
  for (const [env, enabled] of cases) {
    const settings = logExportSettings(env);
    t.equal(settings.enabled, enabled, `${JSON.stringify(env)}: ${settings.reason}`);
  }
});
