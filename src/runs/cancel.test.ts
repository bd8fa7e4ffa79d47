// cancelRun against an in-memory API (our ApiRequester): what it writes, what it refuses and why.
import t from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { runResource } from '../api/index.js';
import { resourcePath } from '../runtime/index.js';
import { cancelRun } from './cancel.js';

const collection = resourcePath(runResource('TaskRun'), 'ns');
const path = `${collection}/pay-7`;
const seeded = (status?: object, spec: object = {}) => {
  const api = new FakeApi();
  api.seed(collection, {
    metadata: { name: 'pay-7', namespace: 'ns', resourceVersion: '5' },
    spec: { taskId: 7, retryAttempt: 1, ...spec },
    ...(status ? { status } : {}),
  });
  return api;
};

t.test('a running run: spec.cancelled set by a merge patch guarded by its resourceVersion', async (t) => {
  const api = seeded({ phase: 'Running', attempt: 1 });
  t.match(await cancelRun(api, 'TaskRun', 'ns', 'pay-7'), { outcome: 'cancelled' });
  const [patch] = api.made('PATCH', path);
  t.same(patch?.body, { metadata: { resourceVersion: '5' }, spec: { cancelled: true } });
  t.equal(patch?.contentType, 'application/merge-patch+json');
});

t.test('a conflict (someone wrote meanwhile) reads again and retries', async (t) => {
  const api = seeded({ phase: 'Pending' });
  api.failNext('PATCH', path, apiError(409, 'Conflict'));
  t.match(await cancelRun(api, 'TaskRun', 'ns', 'pay-7'), { outcome: 'cancelled' });
  t.equal(api.made('GET', path).length, 2);
  t.equal(api.made('PATCH', path).length, 2);
});

t.test('already cancelled: nothing written', async (t) => {
  const api = seeded({ phase: 'Running', attempt: 1 }, { cancelled: true });
  t.match(await cancelRun(api, 'TaskRun', 'ns', 'pay-7'), { outcome: 'already' });
  t.same(api.made('PATCH'), []);
});

t.test('a finished run is refused, naming its phase; a retried one may be cancelled', async (t) => {
  for (const phase of ['Succeeded', 'Failed']) {
    const api = seeded({ phase, attempt: 1 });
    t.match(await cancelRun(api, 'TaskRun', 'ns', 'pay-7'), {
      outcome: 'finished',
      reason: `it has already finished (phase ${phase}): there is nothing to cancel`,
    });
    t.same(api.made('PATCH'), [], `${phase}: nothing written`);
  }
  const retried = seeded({ phase: 'Failed', attempt: 1 }, { retryAttempt: 2 });
  t.match(
    await cancelRun(retried, 'TaskRun', 'ns', 'pay-7'),
    { outcome: 'cancelled' },
    'its new attempt is unfinished',
  );
});
