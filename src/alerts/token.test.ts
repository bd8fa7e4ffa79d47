// The bearer token, from the header alone: either configured token opens, anything else names why not.
import t from 'tap';
import { bearerProblem } from './token.js';

t.test('the current or the previous token opens; nothing else does', async (t) => {
  const tokens = ['current-t0ken', 'previous-t0ken'];
  t.equal(bearerProblem('Bearer current-t0ken', tokens), undefined);
  t.equal(bearerProblem('bearer previous-t0ken', tokens), undefined, 'the scheme in any case');
  t.match(bearerProblem(undefined, tokens), /no Authorization header/);
  t.match(bearerProblem('Basic dXNlcjpwYXNz', tokens), /not "Bearer <token>"/);
  t.match(bearerProblem('Bearer ', tokens), /not "Bearer <token>"/);
  t.match(bearerProblem('Bearer current-t0ke', tokens), /not one of alerts\.tokenFiles/);
  t.match(bearerProblem('Bearer current-t0ken2', tokens), /not one of alerts\.tokenFiles/);
  t.match(bearerProblem('Bearer a b', tokens), /not "Bearer <token>"/);
  t.match(bearerProblem('Bearer x', ['']), /not one of/, 'an empty token opens nothing');
});
