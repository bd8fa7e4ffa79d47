import { sign } from '@octokit/webhooks-methods';
import t from 'tap';
import { signatureCheck } from './signature.js';

const body = '{"zen":"Keep it logically awesome."}';

/** The check fed `payload` in chunks of `size` bytes, as a body streams in. */
function problem(
  payload: string,
  header: string | undefined,
  secrets: string[],
  size = 7,
): string | undefined {
  const check = signatureCheck(header, secrets);
  if (typeof check === 'string') return check;
  const bytes = Buffer.from(payload);
  for (let i = 0; i < bytes.length; i += size) check.update(bytes.subarray(i, i + size));
  return check.problem();
}

t.test('a body signed with the secret, or during rotation with the previous one, is accepted', async (t) => {
  t.equal(problem(body, await sign('current', body), ['current']), undefined);
  t.equal(problem(body, await sign('current', body), ['current'], 1), undefined, 'byte by byte');
  t.equal(problem(body, await sign('old', body), ['current', 'old']), undefined, 'rotated');
  t.equal(problem(body, await sign('current', body), ['current', 'old']), undefined);
  const unicode = '{"body":"naïve 💥 ünïcödé"}';
  t.equal(
    problem(unicode, await sign('current', unicode), ['current'], 3),
    undefined,
    'split inside characters',
  );
});

t.test('bad, foreign, malformed and missing signatures are refused with the reason', async (t) => {
  const signed = await sign('current', body);
  t.match(problem(body, await sign('other', body), ['current', 'old']), /does not match/);
  t.match(problem(`${body} `, signed, ['current']), /does not match/, 'a changed body');
  t.match(problem(body, signed.toUpperCase(), ['current']), /not sha256=/);
  t.match(problem(body, signed.slice(0, -1), ['current']), /not sha256=/);
  t.match(problem(body, `sha1=${'0'.repeat(40)}`, ['current']), /not sha256=/);
  t.match(problem(body, undefined, ['current']), /no X-Hub-Signature-256/);
  t.match(problem(body, '', ['current']), /no X-Hub-Signature-256/);
  t.match(problem('', signed, ['current']), /does not match/, 'an empty body');
  t.match(problem(body, signed, []), /does not match/, 'no secret: nothing matches');
  t.match(problem(body, await sign('old', body), ['current']), /does not match/, 'rotation over');
});
