// The stand-in for Argo Events' template rendering prints numbers as Go does: the pairs below are
// Go 1.26's text/template output for each float64 (a JSON number as Argo Events hands it over).
import t from 'tap';
import { goFloat, renderTemplate } from './sensor-eval.js';

const GO_PRINTS: Array<[number, string]> = [
  [0, '0'],
  [12, '12'],
  [100000, '100000'],
  [123456, '123456'],
  [1000000, '1e+06'],
  [1234567, '1.234567e+06'],
  [2476938475, '2.476938475e+09'],
  [30433642, '3.0433642e+07'],
  [0.5, '0.5'],
  [0.00001234, '1.234e-05'],
  [-1234567, '-1.234567e+06'],
  [1e21, '1e+21'],
];

t.test('a number prints as a float64 does in a Go template', async (t) => {
  for (const [n, go] of GO_PRINTS) t.equal(goFloat(n), go, String(n));
});

t.test('int64 prints the integer; string functions refuse a number, as sprig does', async (t) => {
  const event = { headers: {}, body: { comment: { id: 2476938475 }, repository: { name: 'Pay_Ments' } } };
  t.equal(renderTemplate('pr-comment-{{ .Input.body.comment.id }}', event), 'pr-comment-2.476938475e+09');
  t.equal(renderTemplate('pr-comment-{{ .Input.body.comment.id | int64 }}', event), 'pr-comment-2476938475');
  t.equal(renderTemplate('{{ .Input.body.repository.name | lower | replace "_" "-" }}', event), 'pay-ments');
  t.throws(() => renderTemplate('{{ .Input.body.comment.id | lower }}', event), /lower: wants a string/);
});
