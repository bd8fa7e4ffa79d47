// A real OpenTelemetry Collector (test/otelcol: the OTLP receiver and the file exporter, built from the
// Go module proxy and cached like the control plane) on a free loopback port, tied to the test
// process; the spans, metrics and log records it received are read back from its file exporters' JSON
// lines.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/util/free-port.js';
import { otelCollectorBinary } from '../cluster/test-tools.js';
import { startTied } from '../cluster/tied-process.js';
import type { Scope } from '../util/scope.js';
import { waitFor } from '../util/wait.js';

type Teardown = Pick<Scope, 'teardown'>;

/** A span as the collector wrote it (OTLP JSON), its attributes flattened to plain values. */
export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  service: string;
}

/** A metric data point or a log record as the collector wrote it, with its resource's attributes. */
export interface CollectedSignal {
  /** The metric's name, or the log record's body (Claude Code's event name). */
  name: string;
  resource: Record<string, string | number | boolean>;
  attributes: Record<string, string | number | boolean>;
  /** A log record's trace, when it was written in one. */
  traceId?: string;
}

export interface Collector {
  /** The OTLP/HTTP endpoint, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Every span received so far. */
  spans(): CollectedSpan[];
  /** Every metric data point received so far. */
  metrics(): CollectedSignal[];
  /** Every log record received so far. */
  logs(): CollectedSignal[];
  logFile: string;
}

type OtlpValue = { stringValue?: string; intValue?: string; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };
type OtlpSpan = Omit<CollectedSpan, 'attributes' | 'statusCode' | 'service'> & {
  attributes?: OtlpAttribute[];
  status?: { code?: number };
};
type OtlpLine = {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
};

const plain = (v: OtlpValue): string | number | boolean =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue ?? ''));

const flatten = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map((a) => [a.key, plain(a.value)]));

/** The spans of the file exporter's output: one ExportTraceServiceRequest (JSON) per line. */
export function parseSpans(text: string): CollectedSpan[] {
  const spans: CollectedSpan[] = [];
  const lines = text.split('\n');
  // The last line is whole only once its newline is written: it may be read half-flushed.
  lines.pop();
  for (const line of lines) {
    if (line.trim() === '') continue;
    for (const rs of (JSON.parse(line) as OtlpLine).resourceSpans ?? []) {
      const service = String(flatten(rs.resource?.attributes)['service.name'] ?? '');
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? [])
          spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '',
            name: s.name,
            kind: s.kind,
            attributes: flatten(s.attributes),
            statusCode: s.status?.code ?? 0,
            service,
          });
    }
  }
  return spans;
}

type Resourced = { resource?: { attributes?: OtlpAttribute[] } };
type MetricLine = {
  resourceMetrics?: Array<
    Resourced & {
      scopeMetrics?: Array<{
        metrics?: Array<
          { name: string } & Record<string, { dataPoints?: { attributes?: OtlpAttribute[] }[] }>
        >;
      }>;
    }
  >;
};
type LogLine = {
  resourceLogs?: Array<
    Resourced & {
      scopeLogs?: Array<{
        logRecords?: Array<{ body?: OtlpValue; attributes?: OtlpAttribute[]; traceId?: string }>;
      }>;
    }
  >;
};

/** The whole lines of a file exporter's output (the last may be half-flushed). */
const wholeLines = (text: string): string[] =>
  text
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.trim() !== '');

export function parseMetrics(text: string): CollectedSignal[] {
  const out: CollectedSignal[] = [];
  for (const line of wholeLines(text))
    for (const rm of (JSON.parse(line) as MetricLine).resourceMetrics ?? []) {
      const resource = flatten(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? [])
          for (const data of [m.sum, m.gauge, m.histogram])
            for (const p of data?.dataPoints ?? [])
              out.push({ name: m.name, resource, attributes: flatten(p.attributes) });
    }
  return out;
}

export function parseLogs(text: string): CollectedSignal[] {
  const out: CollectedSignal[] = [];
  for (const line of wholeLines(text))
    for (const rl of (JSON.parse(line) as LogLine).resourceLogs ?? []) {
      const resource = flatten(rl.resource?.attributes);
      for (const sl of rl.scopeLogs ?? [])
        for (const r of sl.logRecords ?? [])
          out.push({
            name: String(plain(r.body ?? {})),
            resource,
            attributes: flatten(r.attributes),
            ...(r.traceId ? { traceId: r.traceId } : {}),
          });
    }
  return out;
}

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * `prefix`: a command the collector runs under, e.g. `nsenter --net=…` to receive from programs in that
 * network namespace (test/harness/cluster/offline.ts); it is then known ready by its log.
 */
export async function startCollector(
  t: Teardown,
  { prefix = [] }: { prefix?: string[] } = {},
): Promise<Collector> {
  const binary = await otelCollectorBinary({ log: (m) => process.stderr.write(`[otelcol] ${m}\n`) });
  const dir = mkdtempSync(join(tmpdir(), 'otelcol-'));
  const port = await freePort();
  const output = join(dir, 'traces.jsonl');
  const file = (signal: string) => [
    `  file/${signal}:`,
    `    path: ${join(dir, `${signal}.jsonl`)}`,
    '    flush_interval: 100ms',
  ];
  const pipeline = (signal: string) => [
    `    ${signal}:`,
    '      receivers: [otlp]',
    `      exporters: [file/${signal}]`,
  ];
  const config = join(dir, 'config.yaml');
  // No telemetry server of its own (its default :8888 would collide between test files).
  writeFileSync(
    config,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      http:',
      `        endpoint: 127.0.0.1:${port}`,
      'exporters:',
      '  file:',
      `    path: ${output}`,
      '    flush_interval: 100ms',
      ...file('metrics'),
      ...file('logs'),
      'service:',
      '  telemetry:',
      '    metrics:',
      '      level: none',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      exporters: [file]',
      ...pipeline('metrics'),
      ...pipeline('logs'),
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'otelcol.log');
  const collector = await startTied([...prefix, binary, '--config', config], logFile);
  t.teardown(() => collector.stop());
  const ready = () =>
    prefix.length > 0
      ? existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Everything is ready')
      : accepting(port);
  await waitFor(`the collector listening on ${port} (log: ${logFile})`, ready);
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => parseSpans(read('traces.jsonl')),
    metrics: () => parseMetrics(read('metrics.jsonl')),
    logs: () => parseLogs(read('logs.jsonl')),
    logFile,
  };
}
