import { Writable } from 'node:stream';
import { logs, SeverityNumber } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import pino from 'pino';
import t from 'tap';
import { emitEvent, setLogExport, withLogExport } from './log-export.js';

const exporter = new InMemoryLogRecordExporter();
logs.setGlobalLoggerProvider(
  new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }),
);

function captured() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

t.beforeEach(() => exporter.reset());

t.test('exporting, every line the logger writes is also a record: severity, message, fields', async (t) => {
  const { lines, stream } = captured();
  const logger = pino({ level: 'debug' }, withLogExport(stream, true));
  logger.child({ run: 'pay-7' }).warn({ attempt: 2, detail: { why: 'x' } }, 'attempt failed');
  logger.debug('a debug line');
  logger.trace('below the level: neither written nor exported');
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 2, 'the destination still gets its lines');
  const records = exporter.getFinishedLogRecords();
  t.equal(records.length, 2);
  const [warn, debug] = records;
  t.equal(warn?.body, 'attempt failed');
  t.equal(warn?.severityNumber, SeverityNumber.WARN);
  t.equal(warn?.severityText, 'WARN');
  t.same(warn?.attributes, { run: 'pay-7', attempt: 2, detail: '{"why":"x"}' });
  t.equal(debug?.severityNumber, SeverityNumber.DEBUG);
});

t.test("not exporting, the destination is the logger's alone and no record is made", async (t) => {
  const { stream } = captured();
  t.equal(withLogExport(stream, false), stream);
  setLogExport(false);
  emitEvent({ type: 'Normal', reason: 'Created', message: 'x', object: {} });
  await new Promise((r) => setImmediate(r));
  t.equal(exporter.getFinishedLogRecords().length, 0);
});

t.test('an Event the operator records is a k8s.event record naming its object', async (t) => {
  setLogExport(true);
  t.teardown(() => setLogExport(false));
  emitEvent({
    type: 'Warning',
    reason: 'BudgetExceeded',
    message: 'attempt 1 spent its budget',
    object: { kind: 'TaskRun', name: 'pay-7', namespace: 'team-a', uid: 'u-1' },
  });
  await new Promise((r) => setImmediate(r));
  const [record] = exporter.getFinishedLogRecords();
  t.equal(record?.eventName, 'k8s.event');
  t.equal(record?.body, 'attempt 1 spent its budget');
  t.equal(record?.severityNumber, SeverityNumber.WARN);
  t.same(record?.attributes, {
    'k8s.event.reason': 'BudgetExceeded',
    'k8s.event.type': 'Warning',
    'k8s.object.kind': 'TaskRun',
    'k8s.object.name': 'pay-7',
    'k8s.namespace.name': 'team-a',
    'k8s.object.uid': 'u-1',
  });
});
