// When a refused mint is tried again: GitHub's word first (a rate limit's reset), else twice the time
// it has been failing, within bounds.
import t from 'tap';
import { TokenFailure } from '../../github/app-tokens/index.js';
import { MINT_RETRY_MAX_MS, MINT_RETRY_MIN_MS, retryAt } from './token-actions.js';

t.test('retry times', async (t) => {
  const now = new Date('2026-11-22T10:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const down = new TokenFailure('GithubUnreachable', 'm');
  t.same(retryAt(down, now, now), at(MINT_RETRY_MIN_MS), 'first failure: the minimum');
  t.same(retryAt(down, at(-60_000), now), at(120_000), 'failing for a minute: two more');
  t.same(retryAt(down, at(-3_600_000), now), at(MINT_RETRY_MAX_MS), 'never longer than the maximum');
  const limited = new TokenFailure('GithubRateLimited', 'm', at(42_000));
  t.same(retryAt(limited, now, now), at(42_000), 'a rate limit: at its reset');
  const stale = new TokenFailure('GithubRateLimited', 'm', at(-1_000));
  t.same(retryAt(stale, now, now), at(MINT_RETRY_MIN_MS), 'a reset already past: backoff');
});
