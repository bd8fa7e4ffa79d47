// What the payload may put into a run is bounded to what the schema admits: a delivery never makes a
// run the apiserver refuses.
import t from 'tap';
import { validateRun } from '../admission/validate-run.js';
import { defaulted } from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import { sampleCodeRun } from '../render/samples.js';
import type { Target } from './mapping.js';
import { remediationRun } from './remediation-run.js';

const config = loadDefaultConfig();
const sample = sampleCodeRun({ agent: 'rex', preset: 'default', continuing: false }, config);
// Stored without its defaults (no contextVersion): the router defaults it (previous-run.ts).
const previous = defaulted(
  'CodeRun',
  {
    ...sample,
    spec: {
      ...sample.spec,
      contextVersion: undefined,
      remediation: { trigger: 'review', feedback: 'an older one' },
    },
    status: { sessionId: 'bad session id; rm -rf' },
  },
  config,
);

const target = (feedback: Partial<Target['feedback']>): Target => ({
  repository: { name: 'acme/payments', namespace: 'team-a' },
  taskId: 7,
  feedback: {
    key: 'comment-1',
    trigger: 'comment',
    repository: 'acme/payments',
    author: 'octocat',
    actor: 'octocat',
    text: 'fix it',
    labels: [],
    sameRepository: true,
    ...feedback,
  },
});

t.test('hostile or huge payload values are bounded or dropped; the run passes admission', async (t) => {
  const run = remediationRun(
    {
      previous,
      target: target({
        text: `${'é'.repeat(70_000)}`,
        author: 'x'.repeat(101),
        url: 'javascript:alert(1)',
        pullRequestUrl: `https://${'a'.repeat(3000)}`,
      }),
      name: 'github-1',
      delivery: '1',
      event: 'issue_comment',
    },
    config,
  );
  const r = run.spec.remediation;
  t.ok(r && Array.from(r.feedback).length <= 65_536, 'feedback fits the schema');
  t.match(r?.feedback, /\[truncated: the full text is at GitHub\]$/);
  t.same(
    Object.keys(r ?? {}).sort(),
    ['feedback', 'trigger'],
    'no author, URL or session that the schema would refuse',
  );
  t.equal(run.spec.contextVersion, 2, 'the next context version (the previous had the default 1)');
  t.same(validateRun({ kind: 'CodeRun', object: run, operation: 'CREATE', config }), []);
});

t.test(
  "the remediation run acts for the previous run's submitter, whose workspace it continues in",
  async (t) => {
    const input = { target: target({}), name: 'github-2', delivery: '2', event: 'issue_comment' };
    const owned = {
      ...previous,
      metadata: { ...previous.metadata, annotations: { 'orchestrator.io/submitted-by': 'alice' } },
    };
    const run = remediationRun({ ...input, previous: owned }, config);
    t.equal(run.metadata?.annotations?.['orchestrator.io/submitted-by'], 'alice');
    const unknown = remediationRun({ ...input, previous }, config);
    t.notOk(
      unknown.metadata?.annotations && 'orchestrator.io/submitted-by' in unknown.metadata.annotations,
      'none recorded: none stated (the webhook records the manager)',
    );
  },
);
