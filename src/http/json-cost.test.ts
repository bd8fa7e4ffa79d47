import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { jsonParseCost } from './json-cost.js';

// A full collection before each measure, so that what is measured is what parsing kept.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap JSON.parse really takes for `text` (after a full GC on both sides). */
function measured(text: string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const value = JSON.parse(text);
  const after = process.memoryUsage().heapUsed;
  t.ok(value !== undefined);
  return after - before;
}

t.test('the estimate is at least what parsing takes, for the shapes that cost most', async (t) => {
  const size = 1024 * 1024;
  const shapes: Record<string, string> = {
    'empty objects': `[${'{},'.repeat(size / 3 - 1)}{}]`,
    'empty arrays': `[${'[],'.repeat(size / 3 - 1)}[]]`,
    numbers: `[${'0,'.repeat(size / 2 - 1)}0]`,
    'small objects': `[${'{"a":1},'.repeat(size / 8 - 1)}{}]`,
    'one string': JSON.stringify({ s: 'x'.repeat(size) }),
  };
  for (const [name, text] of Object.entries(shapes)) {
    const estimate = jsonParseCost(Buffer.from(text));
    t.ok(estimate >= measured(text), `${name}: estimate ${estimate} covers the heap parsing took`);
  }
});

t.test('structure inside strings is text, escaped quotes included', async (t) => {
  // Padded past the size below which bodies are not scanned.
  const pad = (s: string) => Buffer.from(`[${s},"${'p'.repeat(64 * 1024)}"]`);
  const plain = jsonParseCost(pad('"xxxxxxxx"'));
  t.equal(jsonParseCost(pad('"{[,{[,{["')), plain);
  t.equal(jsonParseCost(pad('"\\"{[,{[x"')), plain, 'an escaped quote does not end the string');
  t.ok(jsonParseCost(pad('[{},{},{}]')) > jsonParseCost(pad('"{},{},{}"')));
});

t.test('a small body is charged the worst case per byte without a scan, which covers it', async (t) => {
  const small = `[${'[],'.repeat(15000)}[]]`;
  t.ok(small.length < 64 * 1024);
  t.equal(
    jsonParseCost(Buffer.from(small)),
    jsonParseCost(Buffer.from('x'.repeat(small.length))),
    'by size alone',
  );
  t.ok(jsonParseCost(Buffer.from(small)) >= measured(small), 'at least what parsing the worst shape takes');
});
