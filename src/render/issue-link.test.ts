// The pull request of a run started from an issue closes it; an annotation naming another
// repository's issue, or none, closes nothing.
import t from 'tap';
import { ANNOTATIONS } from '../api/index.js';
import { issueClosing } from './issue-link.js';

const run = (url?: string) => {
  const annotations: Record<string, string> = url ? { [ANNOTATIONS.githubIssueUrl]: url } : {};
  return { metadata: { annotations } };
};

t.test('an issue of the run’s repository is closed by the body', async (t) => {
  const issue = 'https://github.com/acme/payments/issues/42';
  t.equal(issueClosing(run(issue), 'https://github.com/acme/payments', 'github.com'), 'Closes #42');
  t.equal(issueClosing(run(issue), 'https://github.com/Acme/payments.git', 'github.com'), 'Closes #42');
  t.equal(issueClosing(run(issue), 'acme/payments', 'github.com'), 'Closes #42');
  t.equal(
    issueClosing(
      run('https://git.example:8443/acme/payments/issues/7'),
      'https://git.example:8443/acme/payments',
      'git.example:8443',
    ),
    'Closes #7',
  );
});

t.test('anything else closes nothing', async (t) => {
  const repo = 'https://github.com/acme/payments';
  t.equal(issueClosing(run(), repo, 'github.com'), null, 'no annotation');
  t.equal(
    issueClosing(run('https://github.com/acme/other/issues/42'), repo, 'github.com'),
    null,
    'another repository',
  );
  t.equal(
    issueClosing(run('https://github.com/acme/payments/pull/42'), repo, 'github.com'),
    null,
    'a pull request',
  );
  t.equal(issueClosing(run('https://github.com/acme/payments/issues/42#x'), repo, 'github.com'), null);
  t.equal(
    issueClosing(run('https://github.com/acme/payments/issues/42'), undefined, 'github.com'),
    null,
    'no repository',
  );
});
