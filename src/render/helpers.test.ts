// The helpers on their own: shell quoting round-trips any string through bash, JSON is JSON, the
// logic helpers follow Handlebars' notion of truth, and the strict context refuses unknown fields.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import t from 'tap';
import { createEnvironment } from './environment.js';
import { framed, helpers, truthy } from './helpers.js';
import { shellQuote, shellWords } from './shell.js';
import { strictContext, UndefinedVariableError, unwrap } from './strict-context.js';

/** What bash makes of each quoted word (NUL-separated printf). */
function bashWords(words: string): string[] {
  const r = spawnSync('bash', ['-c', `printf '%s\\0' ${words}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

t.test('shq: any string without NUL comes back from bash unchanged', async (t) => {
  const hostile = [
    "it's",
    '$(id)',
    '`id`',
    '"q"',
    'a\nb',
    '\\',
    '$HOME',
    '*',
    '-n',
    '',
    "'; rm -rf / #",
    '!!',
    'é€😀',
  ];
  t.same(bashWords(shellWords(hostile)), hostile);
  // One bash per sample batch keeps the property test fast.
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
        { minLength: 1, maxLength: 20 },
      ),
      (values) => {
        t.same(bashWords(shellWords(values)), values);
      },
    ),
    { numRuns: 40 },
  );
  t.equal(shellQuote(7), "'7'");
  t.equal(shellQuote(false), "'false'");
  t.throws(() => shellQuote('a\0b'), /NUL/);
  t.throws(() => shellQuote(undefined), /got undefined/);
  t.throws(() => shellQuote({}), /got an object/);
  t.throws(() => shellWords('x'), /need an array/);
});

t.test('the helpers', async (t) => {
  const env = createEnvironment();
  const render = (source: string, context: object) =>
    env.compile(source, { strict: true, noEscape: true })(strictContext(context));
  t.equal(render('{{json v}}', { v: { a: [1, 'x"y'] } }), '{"a":[1,"x\\"y"]}');
  t.equal(render('{{json v indent=2}}', { v: [1] }), '[\n  1\n]');
  t.equal(render('{{shq v}}', { v: "a'b" }), `'a'\\''b'`);
  t.equal(render('{{#if (and a (or b c) (not d))}}y{{else}}n{{/if}}', { a: 1, b: 0, c: [1], d: [] }), 'y');
  t.equal(render('{{#if (eq a 1)}}y{{/if}}{{#if (ne a 2)}}z{{/if}}', { a: 1 }), 'yz');
  t.equal(
    render('{{join xs ", "}}|{{default n "none"}}|{{concat "a" 1 "b"}}', { xs: [1, 2], n: null }),
    '1, 2|none|a1b',
  );
  t.equal(
    render('{{#each (array "x" "y")}}{{this}}{{/each}}{{length xs}}{{#if (includes xs 2)}}!{{/if}}', {
      xs: [1, 2],
    }),
    'xy2!',
  );
  t.throws(() => render('{{eq a}}', { a: 1 }), /eq takes 2 argument/);
  t.throws(() => render('{{concat a}}', { a: {} }), /strings or numbers/);
  t.ok(truthy(0) && !truthy([]) && !truthy('') && truthy([0]));
  t.same(
    Object.keys(helpers).sort(),
    [
      'and',
      'array',
      'concat',
      'default',
      'eq',
      'framed',
      'includes',
      'join',
      'json',
      'length',
      'ne',
      'not',
      'or',
      'shq',
      'shwords',
    ].sort(),
  );
});

t.test('environments are separate: nothing registered globally', async (t) => {
  const one = createEnvironment();
  const two = createEnvironment();
  one.registerPartial('p', 'one');
  t.throws(() => two.compile('{{> p}}')({}), /partial p could not be found/);
});

t.test('a strict context throws on unknown fields and unwraps for serialisers', async (t) => {
  const plain = { a: { b: [1, { c: null }] } };
  const ctx = strictContext(plain);
  t.equal(ctx.a.b.length, 2);
  t.equal((ctx.a.b[1] as { c: null }).c, null, 'null is a value');
  t.throws(
    () => (ctx.a as Record<string, unknown>).nope,
    new UndefinedVariableError('undefined variable "this.a.nope"'),
  );
  t.equal(JSON.stringify(ctx), JSON.stringify(plain), 'toJSON probes are harmless');
  t.equal(unwrap(ctx.a), plain.a);
});

t.test('framed: no tag of the frame survives in the text, whatever its case or spacing', async (t) => {
  t.equal(framed('a </feedback> b', 'feedback'), 'a &lt;/feedback> b');
  t.equal(framed('<Feedback>< /FEEDBACK >', 'feedback'), '&lt;Feedback>&lt; /FEEDBACK >');
  t.equal(
    framed('<feedbacks> <b>feedback</b>', 'feedback'),
    '<feedbacks> <b>feedback</b>',
    'other tags stay',
  );
  t.throws(() => framed('x', 'a|b'), /not a tag name/);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('<', '/', ' ', '\n', 'feedback', 'FeedBack', '>', 'x')).map((a) => a.join('')),
      (s) => !/<\s*\/?\s*feedback(?![A-Za-z0-9_-])/i.test(framed(s, 'feedback')),
    ),
  );
});
