import { Ajv } from 'ajv';
import fc from 'fast-check';
import t from 'tap';
import { compileSchema, createAjv } from './schema-validator.js';

t.test('maxLength and minLength count code points exactly as ajv does, with the same errors', async (t) => {
  const reference = new Ajv({ allErrors: true, strict: false });
  const ours = createAjv();
  // Astral characters (2 UTF-16 units), lone surrogates (1), and plain ones, around the limits.
  const text = fc.string({ unit: fc.constantFrom('a', 'é', '😀', '\ud800', '\udc00', '𝄞'), maxLength: 24 });
  const differences: string[] = [];
  fc.assert(
    fc.property(text, fc.nat(16), fc.nat(16), (value, min, max) => {
      const schema = { type: 'string', minLength: min, maxLength: max };
      const expected = reference.compile(schema);
      const actual = ours.compile(schema);
      const answers = [expected, actual].map((v) => JSON.stringify([v(value), v.errors ?? null]));
      if (answers[0] !== answers[1]) differences.push(`${JSON.stringify({ value, min, max })}: ${answers}`);
    }),
    { numRuns: 500 },
  );
  t.same(differences, [], '500 strings and limits: the same verdicts and errors');
});

t.test('at most 100 findings are described; one more counts the rest', async (t) => {
  const check = compileSchema({ type: 'array', items: { type: 'string' } });
  t.same(check(['a', 1]), [
    { rule: 'schema', path: '[1]', message: 'Invalid value: 1: must be of type string', severity: 'error' },
  ]);
  const findings = check(Array.from({ length: 1000 }, (_, i) => i));
  t.equal(findings.length, 101);
  t.same(findings[100], {
    rule: 'schema',
    path: '',
    message: '… and 900 more schema violations (not listed)',
    severity: 'error',
    omitted: 900,
  });
});
