import t from 'tap';
import { formatTraceParent, parseTraceParent, runTraceParent, TRACE_ANNOTATION } from './traceparent.js';

const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

t.test('a W3C traceparent is read and written back as version 00', async (t) => {
  t.same(parseTraceParent(valid), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  t.equal(formatTraceParent(parseTraceParent(valid) as never), valid);
  t.equal(
    formatTraceParent({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 }).slice(-3),
    '-00',
  );
  // A later version's first fields are read (the specification's forward compatibility).
  t.ok(parseTraceParent('cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-comes-next'));
});

t.test('anything else is no trace context', async (t) => {
  for (const text of [
    undefined,
    42,
    '',
    'garbage',
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
    '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    `${valid}-extra`,
  ])
    t.equal(parseTraceParent(text), undefined, JSON.stringify(text));
});

t.test("a run's trace context is its annotation's, when valid", async (t) => {
  t.equal(runTraceParent({ metadata: { annotations: { [TRACE_ANNOTATION]: ` ${valid} ` } } }), valid);
  t.equal(runTraceParent({ metadata: { annotations: { [TRACE_ANNOTATION]: 'nope' } } }), undefined);
  t.equal(runTraceParent({ metadata: { annotations: null } }), undefined);
  t.equal(runTraceParent({ metadata: {} }), undefined);
  t.equal(runTraceParent(undefined), undefined);
});
