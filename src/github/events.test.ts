// The run a delivery names comes from signed fields of its payload only (docs/security.md).
import t from 'tap';
import { eventOf, githubPayload, type Payload } from '../../test/harness/remote/github.js';
import { type Feedback, readEvent } from './events.js';

const keyOf = (fixture: string, change?: Parameters<typeof githubPayload>[1]) => {
  const reading = readEvent(eventOf(fixture), githubPayload(fixture, change));
  return 'feedback' in reading ? (reading.feedback as Feedback).key : reading.ignored;
};

t.test(
  'each event is keyed by what GitHub signed: the item, its head commit, or the failed commit',
  async (t) => {
    t.equal(keyOf('issue_comment.pull_request'), 'comment-1466357331');
    t.match(keyOf('pull_request_review.changes_requested'), /^review-\d+-[0-9a-f]{12}$/);
    t.match(keyOf('pull_request_review_comment'), /^review-comment-\d+-[0-9a-f]{12}$/);
    t.match(keyOf('check_run.failure'), /^ci-[0-9a-f]{40}$/);
    t.equal(keyOf('check_run.failure'), keyOf('workflow_run.failure'), "one commit's failures are one run");
  },
);

t.test('a review on a new head commit is another run; the same one again is not', async (t) => {
  const fixture = 'pull_request_review.changes_requested';
  const at = (sha: string) => keyOf(fixture, (p) => (p.pull_request.head.sha = sha));
  t.equal(at('a'.repeat(40)), at('a'.repeat(40)));
  t.not(at('a'.repeat(40)), at('b'.repeat(40)));
});

t.test('without the fields that name a run, nothing is started', async (t) => {
  t.equal(
    keyOf('issue_comment.pull_request', (p) => delete p.comment.id),
    'the comment has no id',
  );
  t.equal(
    keyOf('pull_request_review.changes_requested', (p) => delete p.review.id),
    'the review has no id',
  );
  const noSha = (p: Payload) => delete p.check_run.head_sha;
  t.match(keyOf('check_run.failure', noSha), /^ci-suite-\d+$/, 'the check suite when no commit');
  t.equal(
    keyOf('check_run.failure', (p) => {
      noSha(p);
      delete p.check_run.check_suite.id;
    }),
    'the check_run names neither its commit nor its check suite',
  );
});
