import { sign } from '@octokit/webhooks-methods';
import t from 'tap';
import { signatureProblem } from './signature.js';

const body = '{"zen":"Keep it logically awesome."}';

t.test('a body signed with the secret, or during rotation with the previous one, is accepted', async (t) => {
  t.equal(await signatureProblem(body, await sign('current', body), ['current']), undefined);
  t.equal(await signatureProblem(body, await sign('old', body), ['current', 'old']), undefined, 'rotated');
  t.equal(await signatureProblem(body, await sign('current', body), ['current', 'old']), undefined);
});

t.test('bad, foreign, malformed and missing signatures are refused with the reason', async (t) => {
  const signed = await sign('current', body);
  t.match(await signatureProblem(body, await sign('other', body), ['current', 'old']), /does not match/);
  t.match(await signatureProblem(`${body} `, signed, ['current']), /does not match/, 'a changed body');
  t.match(await signatureProblem(body, signed.toUpperCase(), ['current']), /not sha256=/);
  t.match(await signatureProblem(body, signed.slice(0, -1), ['current']), /not sha256=/);
  t.match(await signatureProblem(body, `sha1=${'0'.repeat(40)}`, ['current']), /not sha256=/);
  t.match(await signatureProblem(body, undefined, ['current']), /no X-Hub-Signature-256/);
  t.match(await signatureProblem(body, '', ['current']), /no X-Hub-Signature-256/);
  t.match(await signatureProblem('', signed, ['current']), /does not match/, 'an empty body');
  t.match(await signatureProblem(body, signed, []), /does not match/, 'no secret: nothing matches');
  t.match(
    await signatureProblem(body, await sign('old', body), ['current']),
    /does not match/,
    'rotation over',
  );
});
