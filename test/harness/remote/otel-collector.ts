// A real OpenTelemetry Collector (test/otelcol: the OTLP receiver and the file exporter, built from the
// Go module proxy and cached like the control plane) on a free loopback port, tied to the test
// process; the spans it received are read back from its file exporter's JSON lines.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/util/free-port.js';
import { otelCollectorBinary } from '../cluster/test-tools.js';
import { startTied } from '../cluster/tied-process.js';
import { waitFor } from '../util/wait.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

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

export interface Collector {
  /** The OTLP/HTTP endpoint, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Every span received so far. */
  spans(): CollectedSpan[];
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

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function startCollector(t: Teardown): Promise<Collector> {
  const binary = await otelCollectorBinary({ log: (m) => process.stderr.write(`[otelcol] ${m}\n`) });
  const dir = mkdtempSync(join(tmpdir(), 'otelcol-'));
  const port = await freePort();
  const output = join(dir, 'traces.jsonl');
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
      'service:',
      '  telemetry:',
      '    metrics:',
      '      level: none',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      exporters: [file]',
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'otelcol.log');
  const collector = await startTied([binary, '--config', config], logFile);
  t.teardown(() => collector.stop());
  await waitFor(`the collector listening on ${port} (log: ${logFile})`, () => accepting(port));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => (existsSync(output) ? parseSpans(readFileSync(output, 'utf8')) : []),
    logFile,
  };
}
