// kubectl's -o jsonpath and custom-columns, checked against what kubectl prints for the same templates.
import t from 'tap';
import { customColumnsOutput, jsonPathOutput } from './jsonpath.js';

const run = (name: string, phase?: string) => ({
  metadata: { name, labels: { a: '1' } },
  ...(phase ? { status: { phase } } : {}),
});
const list = { apiVersion: 'v1', kind: 'List', items: [run('a', 'Running'), run('b', 'Cancelled')] };

t.test('jsonpath: paths, several matches, literals and ranges', async (t) => {
  t.equal(jsonPathOutput('{.metadata.name}', run('a')), 'a');
  t.equal(jsonPathOutput('{.items[*].metadata.name}', list), 'a b', 'several matches joined by a space');
  t.equal(jsonPathOutput('name={.metadata.name}{"\\n"}', run('a')), 'name=a\n', 'text and a literal');
  t.equal(
    jsonPathOutput('{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}', list),
    'a\tRunning\nb\tCancelled\n',
  );
  t.equal(jsonPathOutput('{.metadata.labels}', run('a')), '{"a":"1"}', 'an object as JSON');
  t.equal(jsonPathOutput('{.status.phase}', run('a')), '', 'nothing matched: nothing printed');
  t.equal(jsonPathOutput('{$.metadata.name} {@.metadata.name}', run('a')), 'a a', '$ and @ roots');
  t.equal(jsonPathOutput('{.items[?(@.status.phase=="Cancelled")].metadata.name}', list), 'b', 'a filter');
});

t.test('jsonpath: a malformed template names what is wrong', async (t) => {
  t.throws(() => jsonPathOutput('{.metadata.name', run('a')), /unclosed "\{"/);
  t.throws(() => jsonPathOutput('{range .items[*]}{.x}', list), /\{range\} without \{end\}/);
  t.throws(() => jsonPathOutput('{end}', list), /\{end\} without \{range\}/);
});

t.test('custom-columns: a header per column, <none> where nothing matches', async (t) => {
  t.equal(
    customColumnsOutput('NAME:.metadata.name,PHASE:.status.phase', [run('a', 'Running'), run('bb')]),
    'NAME   PHASE\na      Running\nbb     <none>\n',
  );
  t.throws(
    () => customColumnsOutput('NAME', [run('a')]),
    /custom-columns "NAME": give each column as HEADER:\.json\.path/,
  );
});
