import t from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ATTEMPT as attempt, meteredCall as call } from '../../test/harness/fakes/gateway.js';
import { waitFor } from '../../test/harness/util/wait.js';
import {
  type EventSource,
  type KubeObject,
  RequestTimeoutError,
  type ResourceEventHandler,
} from '../runtime/index.js';
import { KubeLedger } from './kube-ledger.js';
import { ledgerRecordName } from './ledger-record.js';

const DAY = Date.parse('2026-11-26T05:00:00Z');
const CMS = '/api/v1/namespaces/orchestrator-system/configmaps';

/** The watch of the records, played by the test: what it delivers, when it says. */
class Watch implements EventSource {
  readonly handlers: ResourceEventHandler[] = [];
  list(): KubeObject[] {
    return [];
  }
  addHandler(handler: ResourceEventHandler): () => void {
    this.handlers.push(handler);
    return () => {};
  }
  update(cm: KubeObject): void {
    for (const h of this.handlers) h.onUpdate?.(cm, cm);
  }
}

/** A ledger on the in-memory API whose clock stays at DAY, writing each change at once. */
const dayLedger = (writeEveryMs = 0) => {
  const api = new FakeApi();
  const watch = new Watch();
  const ledger = new KubeLedger({
    client: api,
    namespace: 'orchestrator-system',
    records: watch,
    writeEveryMs,
    now: () => DAY,
  });
  return { api, watch, ledger };
};

t.test('calls add up in the attempt record of the day, in the operator namespace', async (t) => {
  const { api, ledger } = dayLedger();
  await ledger.record(attempt, call(100));
  await ledger.record(attempt, call(50));
  const name = ledgerRecordName(attempt, '2026-11-26');
  const stored = api.objects.get(`${CMS}/${name}`) as { data: Record<string, string> };
  t.equal(stored.data.costMicros, '150');
  t.equal(stored.data.calls, '2');
  t.equal(JSON.parse(stored.data.models ?? '{}')['claude-sonnet-4-6'].output, 40);
  t.equal(await ledger.attemptSpent(attempt), 150);
  t.equal(await ledger.attemptSpent({ ...attempt, attempt: 2 }), 0);
  t.equal(await ledger.spentSince((ns) => ns === 'team-a', DAY - 86_400_000), 150);
  t.equal(await ledger.spentSince((ns) => ns === 'team-b', 0), 0);
  t.equal(await ledger.spentSince(() => true, DAY + 86_400_000), 0, 'a window starting tomorrow');
  t.same(api.made('GET'), [], 'sums and writes read nothing: the watch and its own writes answer');
});

t.test('the calls of an attempt ending within the interval are one write, each waiting for it', async (t) => {
  const { api, ledger } = dayLedger(200);
  const item = `${CMS}/${ledgerRecordName(attempt, '2026-11-26')}`;
  await ledger.record(attempt, call(1));
  let recorded = 0;
  const calls = Array.from({ length: 50 }, (_, i) =>
    ledger.record(attempt, call(i + 1)).then(() => recorded++),
  );
  const other = { ...attempt, attempt: 2 };
  await ledger.record(other, call(7));
  t.equal(recorded, 0, 'no call waiting for the next write counts as recorded before it');
  t.equal(
    await ledger.attemptSpent(attempt),
    1 + (50 * 51) / 2,
    'but each counts in the sums the moment it is metered',
  );
  t.equal(await ledger.spentSince(() => true, DAY - 86_400_000), 1 + (50 * 51) / 2 + 7, 'in every window');
  t.equal(await ledger.attemptSpent(other), 7, "another attempt's record is written at once");
  await Promise.all(calls);
  const stored = api.objects.get(item) as { data: Record<string, string> };
  t.equal(stored.data.calls, '51', 'every call counted');
  t.equal(await ledger.attemptSpent(attempt), 1 + (50 * 51) / 2);
  t.equal(api.made('PUT', item).length, 1, "the attempt's 51 calls in 2 writes (a POST, a PUT)");
  t.equal(api.made('POST', CMS).length, 2, "and the other attempt's record");
});

t.test('a replica that lost the race reads the winner and adds to it: nothing lost', async (t) => {
  const { api, ledger } = dayLedger();
  await ledger.record(attempt, call(100));
  const item = `${CMS}/${ledgerRecordName(attempt, '2026-11-26')}`;
  api.failNext('PUT', item, apiError(409, 'Conflict'));
  await ledger.record(attempt, call(7));
  t.equal(api.made('PUT', item).length, 2, 'written again after the conflict');
  t.equal(api.made('GET', item).length, 1, 'on the record read after it');
  t.equal(await ledger.attemptSpent(attempt), 107);
});

t.test('a call whose write is refused for good stops counting, once; one written counts once', async (t) => {
  const { api, ledger } = dayLedger();
  await ledger.record(attempt, call(100));
  const item = `${CMS}/${ledgerRecordName(attempt, '2026-11-26')}`;
  api.failNext('PUT', item, apiError(422, 'Invalid'));
  const failed = ledger.record(attempt, call(7));
  t.equal(await ledger.attemptSpent(attempt), 107, 'counted while its write is under way');
  await t.rejects(failed, 'the write was refused: the caller hears so');
  t.equal(api.made('PUT', item).length, 1, 'and it is not sent again');
  t.equal(await ledger.attemptSpent(attempt), 100, 'and it is no longer counted (it is in no record)');
  await ledger.record(attempt, call(5));
  t.equal(await ledger.attemptSpent(attempt), 105, 'a written call is counted once, in its record');
  t.equal(await ledger.spentSince(() => true, 0), 105);
});

/** A ledger writing at once on an apiserver that refuses stale versions, its retries 1 ms apart. */
const retryingLedger = () => {
  const api = new FakeApi(true);
  const retried: string[] = [];
  const ledger = new KubeLedger({
    client: api,
    namespace: 'orchestrator-system',
    records: new Watch(),
    writeEveryMs: 0,
    retryFirstMs: 1,
    onWriteRetry: (err) => retried.push(err.message),
    now: () => DAY,
  });
  return { api, ledger, retried, item: `${CMS}/${ledgerRecordName(attempt, '2026-11-26')}` };
};

t.test(
  'a write the apiserver failed or did not answer is sent again until it lands, counting meanwhile',
  async (t) => {
    const { api, ledger, retried, item } = retryingLedger();
    await ledger.record(attempt, call(100));
    api.failNext('PUT', item, apiError(500, 'InternalError'));
    api.failNext('GET', item, apiError(503, 'ServiceUnavailable'));
    api.failNext('GET', item, new Error('connect ECONNREFUSED 10.0.0.1:443'));
    await ledger.record(attempt, call(7));
    t.equal(retried.length, 3, 'tried again after each failure');
    const stored = api.objects.get(item) as { data: Record<string, string> };
    t.same([stored.data.calls, stored.data.costMicros], ['2', '107'], 'the call is in the record, once');
    t.equal(await ledger.attemptSpent(attempt), 107);
  },
);

t.test('a write that landed but whose answer was lost is not added again', async (t) => {
  const { api, ledger, retried, item } = retryingLedger();
  await ledger.record(attempt, call(100));
  api.loseNextAnswer('PUT', item, new RequestTimeoutError('PUT the record', 30_000));
  await ledger.record(attempt, call(7));
  t.equal(retried.length, 1, 'no answer: tried again');
  const stored = api.objects.get(item) as { data: Record<string, string> };
  t.same([stored.data.calls, stored.data.costMicros], ['2', '107'], 'its call counted once');
  t.equal(api.made('PUT', item).length, 1, 'the record read showed it had landed: no second PUT');
  await ledger.record(attempt, call(5));
  t.equal((api.objects.get(item) as { data: Record<string, string> }).data.costMicros, '112');
  t.equal(await ledger.attemptSpent(attempt), 112);
});

t.test('a stopped ledger stops trying: the write waiting to be sent again fails', async (t) => {
  const api = new FakeApi(true);
  const ledger = new KubeLedger({
    client: api,
    namespace: 'orchestrator-system',
    records: new Watch(),
    writeEveryMs: 0,
    retryFirstMs: 60_000,
    now: () => DAY,
  });
  api.failNext('POST', CMS, apiError(503, 'ServiceUnavailable'));
  const pending = ledger.record(attempt, call(9));
  await waitFor('the POST failed', async () => api.made('POST', CMS).length === 1 || undefined);
  t.equal(await ledger.attemptSpent(attempt), 9, 'counted while it waits');
  ledger.stop();
  await t.rejects(pending, { message: /ServiceUnavailable|503/ });
  t.equal(await ledger.attemptSpent(attempt), 0, 'no longer counted');
});

t.test("the watch: other replicas' calls count; a late event does not take a write back", async (t) => {
  const { api, watch, ledger } = dayLedger();
  const other = new KubeLedger({
    client: api,
    namespace: 'orchestrator-system',
    records: new Watch(),
    writeEveryMs: 0,
    now: () => DAY,
  });
  const item = `${CMS}/${ledgerRecordName(attempt, '2026-11-26')}`;
  await other.record(attempt, call(100));
  const first = structuredClone(api.objects.get(item)) as KubeObject;
  watch.update(first);
  t.equal(await ledger.attemptSpent(attempt), 100, "another replica's write, as the watch delivered it");
  await ledger.record(attempt, call(50));
  t.equal(await ledger.attemptSpent(attempt), 150);
  watch.update(first);
  t.equal(await ledger.attemptSpent(attempt), 150, 'the older state, delivered late, is not taken');
  t.equal(await ledger.spentSince(() => true, 0), 150);
  t.equal((api.objects.get(item) as { data: Record<string, string> }).data.calls, '2');
});

t.test('a refusal is recorded once, beside the spend; a record names at most 16 models', async (t) => {
  const { api, ledger } = dayLedger();
  await ledger.record(attempt, call(100));
  await ledger.refuse(attempt, 'spec.limits.maxBudgetUsd is spent');
  await ledger.refuse(attempt, 'budget "b" is spent');
  const item = `${CMS}/${ledgerRecordName(attempt, '2026-11-26')}`;
  const stored = api.objects.get(item) as { data: Record<string, string> };
  t.equal(stored.data.refusal, 'spec.limits.maxBudgetUsd is spent', 'the first refusal stays');
  t.equal(api.made('PUT', item).length, 1, 'the second refusal wrote nothing');
  t.equal(await ledger.attemptSpent(attempt), 100);
  for (let i = 0; i < 40; i++) await ledger.record(attempt, { ...call(1), model: `claude-x-${i}` });
  const models = JSON.parse((api.objects.get(item) as { data: Record<string, string> }).data.models ?? '{}');
  t.equal(Object.keys(models).length, 16, 'an agent inventing model names cannot grow the record');
  t.equal(models.other.costMicros, 26, 'the calls of models past the 15th are added up as other');
  t.equal(await ledger.attemptSpent(attempt), 140, 'and every call counts');
});

t.test('records of days no budget window reaches are deleted as sums pass them', async (t) => {
  const api = new FakeApi();
  let now = Date.parse('2026-10-30T12:00:00Z');
  const ledger = new KubeLedger({
    client: api,
    namespace: 'orchestrator-system',
    records: new Watch(),
    writeEveryMs: 0,
    now: () => now,
  });
  await ledger.record(attempt, call(100));
  now = Date.parse('2026-11-01T00:30:00Z');
  await ledger.record(attempt, call(5));
  const october = `${CMS}/${ledgerRecordName(attempt, '2026-10-30')}`;
  t.equal(await ledger.spentSince(() => true, Date.parse('2026-11-01T00:00:00Z')), 5, "November's budgets");
  t.ok(api.objects.has(october), 'kept two days into a new month (attempts still being recorded)');
  now = Date.parse('2026-11-02T01:00:00Z');
  await ledger.attemptSpent(attempt);
  await waitFor('the October record deleted', async () => !api.objects.has(october) || undefined);
  t.equal(await ledger.attemptSpent(attempt), 5, 'what is left is this month');
});
