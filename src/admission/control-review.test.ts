// The webhook's control review: RBAC is asked about the verb only when every changed control has one;
// a denial is 403 naming each field; an unanswered question is 503, never an allow.
import t from 'tap';
import { RuleReviewer } from '../../test/harness/fakes/access-reviewers.js';
import { ARGO_WORKFLOW_LABEL } from '../api/index.js';
import { reviewControls } from './control-review.js';
import type { AdmissionRequest } from './request.js';

const oldObject = {
  metadata: { name: 'fix', annotations: { 'orchestrator.io/submitted-by': 'alice' } },
  spec: { taskId: 3, contextVersion: 1 },
};
const update = (username: string, spec: object, labels?: object): AdmissionRequest => ({
  uid: 'u',
  kind: { group: 'orchestrator.io', version: 'v1', kind: 'CodeRun' },
  name: 'fix',
  namespace: 'team-a',
  operation: 'UPDATE',
  userInfo: { username },
  oldObject,
  object: {
    ...oldObject,
    metadata: { ...oldObject.metadata, ...(labels ? { labels } : {}) },
    spec: { ...oldObject.spec, ...spec },
  },
});
const holders = (verb: string) =>
  new RuleReviewer((user, a) => user.username === 'carol' && 'resource' in a && a.resource.verb === verb);

t.test(
  'bob may not raise alice’s counter; carol, holding retry on it, may; alice asks nothing',
  async (t) => {
    const rbac = holders('retry');
    const bobs = await reviewControls('CodeRun', update('bob', { contextVersion: 2 }), new Set(), rbac);
    t.match(bobs, {
      allowed: false,
      code: 403,
      rule: 'control-is-submitters',
      message: /spec\.contextVersion: Forbidden/,
    });
    t.match(rbac.asked[0]?.attributes, {
      resource: {
        verb: 'retry',
        group: 'orchestrator.io',
        resource: 'coderuns',
        namespace: 'team-a',
        name: 'fix',
      },
    });
    t.equal(
      await reviewControls('CodeRun', update('carol', { contextVersion: 2 }), new Set(), rbac),
      undefined,
    );
    const asked = rbac.asked.length;
    t.equal(reviewControls('CodeRun', update('alice', { contextVersion: 2 }), new Set(), rbac), undefined);
    t.equal(
      reviewControls('CodeRun', update('manager', { cancelled: true }), new Set(['manager']), rbac),
      undefined,
    );
    t.equal(rbac.asked.length, asked, 'the submitter and the manager cost no review');
  },
);

t.test('retry lets carol neither cancel nor adopt the run into her play', async (t) => {
  const rbac = holders('retry');
  t.match(await reviewControls('CodeRun', update('carol', { cancelled: true }), new Set(), rbac), {
    code: 403,
    message: /spec\.cancelled: Forbidden: .*`cancel`/,
  });
  const labelled = update('carol', { contextVersion: 2 }, { [ARGO_WORKFLOW_LABEL]: 'carols-play' });
  const refused = await reviewControls('CodeRun', labelled, new Set(), rbac);
  t.match(refused, {
    code: 403,
    message: /metadata\.labels\["workflows\.argoproj\.io\/workflow"\]: Forbidden/,
  });
  t.notMatch(refused, { message: /spec\.contextVersion/ }, 'the counter she holds retry for is not named');
  t.same(
    rbac.asked.map((a) => 'resource' in a.attributes && a.attributes.resource.verb),
    ['cancel', 'retry', 'adopt'],
    'each verb asked once',
  );
});

t.test('RBAC unanswered: 503, naming the field', async (t) => {
  const down = new RuleReviewer(() => new Error('connection refused'));
  t.match(await reviewControls('CodeRun', update('bob', { contextVersion: 2 }), new Set(), down), {
    allowed: false,
    code: 503,
    message: /spec\.contextVersion: RBAC could not be asked/,
  });
});
