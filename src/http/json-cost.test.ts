import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { jsonParseCost } from './json-cost.js';

// A full collection on both sides of a parse, so that what is measured is what parsing retained (what a
// request holds while it is served; the garbage parsing leaves is the young generation's to take).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap JSON.parse retains for `text`: the value is held while the heap is measured. */
function retained(text: string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const value: unknown = JSON.parse(text);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (value === undefined) throw new Error('nothing parsed');
  return after - before;
}

/** `[a,b,…]` or `{a,b,…}` of `part(i)` for i = 0, 1, … up to about `size` bytes. */
function filled(open: string, close: string, size: number, part: (i: number) => string): string {
  const parts: string[] = [];
  for (let i = 0, n = 2; n < size; i++) {
    const p = part(i);
    parts.push(p);
    n += p.length + 1;
  }
  return `${open}${parts.join(',')}${close}`;
}

const key = (i: number) => i.toString(36);

t.test('the estimate is at least what parsing retains, for the shapes that cost most', async (t) => {
  const size = 1024 * 1024;
  const shapes: Record<string, string> = {
    'empty objects': `[${'{},'.repeat(size / 3 - 1)}{}]`,
    'empty arrays': `[${'[],'.repeat(size / 3 - 1)}[]]`,
    'nested arrays': `${'['.repeat(size / 2)}${']'.repeat(size / 2)}`,
    numbers: `[${'0,'.repeat(size / 2 - 1)}0]`,
    'small objects': `[${'{"a":1},'.repeat(size / 8 - 1)}{}]`,
    'one string': JSON.stringify({ s: 'x'.repeat(size) }),
    // Each key unseen: an internalised string and a dictionary entry; each one-key object a hidden
    // class of its own. These retained up to twice what the estimate charged before it counted keys.
    'one object of short unique keys': filled('{', '}', size, (i) => `"${key(i)}":0`),
    'one-key objects, unique keys': filled('[', ']', size, (i) => `{"${key(i)}":0}`),
    'two-key objects, unique keys': filled('[', ']', size, (i) => `{"${key(i)}":0,"${key(i)}z":0}`),
    'unique keys of empty objects': filled('{', '}', size, (i) => `"${key(i)}":{}`),
    'unique keys of one-key objects': filled('{', '}', size, (i) => `"${key(i)}":{"${key(i)}":0}`),
    'short unique strings': filled('[', ']', size, (i) => `"${key(i)}"`),
  };
  for (const [name, text] of Object.entries(shapes)) {
    const estimate = jsonParseCost(Buffer.from(text));
    const held = retained(text);
    t.ok(
      estimate >= held,
      `${name}: estimate ${estimate} covers the ${held} bytes parsing retained (${(held / estimate).toFixed(2)} of it)`,
    );
  }
});

t.test('structure inside strings is text, escaped quotes included', async (t) => {
  // Padded past the size below which bodies are not scanned.
  const pad = (s: string) => Buffer.from(`[${s},"${'p'.repeat(64 * 1024)}"]`);
  const plain = jsonParseCost(pad('"xxxxxxxx"'));
  t.equal(jsonParseCost(pad('"{[,{[:{["')), plain);
  t.equal(jsonParseCost(pad('"\\"{[,{[x"')), plain, 'an escaped quote does not end the string');
  t.ok(jsonParseCost(pad('[{},{},{}]')) > jsonParseCost(pad('"{},{},{}"')));
  t.ok(jsonParseCost(pad('{"a":0}')) > jsonParseCost(pad('["a",0]')), 'a property costs more than a value');
});

t.test('a small body is charged the worst case per byte without a scan, which covers it', async (t) => {
  const small = `[${'[],'.repeat(5000)}[]]`;
  t.ok(small.length < 16 * 1024);
  t.equal(
    jsonParseCost(Buffer.from(small)),
    jsonParseCost(Buffer.from('x'.repeat(small.length))),
    'by size alone',
  );
  const worst = [
    small,
    `${'['.repeat(8000)}${']'.repeat(8000)}`,
    filled('[', ']', 16000, (i) => `{"${key(i)}":0}`),
    filled('{', '}', 16000, (i) => `"${key(i)}":0`),
  ];
  for (const text of worst)
    t.ok(
      jsonParseCost(Buffer.from(text)) >= retained(text),
      'at least what parsing the worst shapes retains',
    );
});
