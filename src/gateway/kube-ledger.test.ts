import t from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ATTEMPT as attempt, meteredCall as call } from '../../test/harness/fakes/gateway.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { KubeLedger } from './kube-ledger.js';
import { ledgerRecordName } from './ledger-record.js';

const DAY = Date.parse('2026-11-26T05:00:00Z');
const CMS = '/api/v1/namespaces/orchestrator-system/configmaps';
/** A ledger on the in-memory API whose clock stays at DAY, listing afresh each time. */
const dayLedger = () => {
  const api = new FakeApi();
  return {
    api,
    ledger: new KubeLedger({ client: api, namespace: 'orchestrator-system', listTtlMs: 0, now: () => DAY }),
  };
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
});

t.test('a replica that lost the race reads the winner and adds to it: nothing lost', async (t) => {
  const { api, ledger } = dayLedger();
  await ledger.record(attempt, call(100));
  const item = `${CMS}/${ledgerRecordName(attempt, '2026-11-26')}`;
  api.failNext('PUT', item, apiError(409, 'Conflict'));
  await ledger.record(attempt, call(7));
  t.equal(api.made('PUT', item).length, 2, 'written again after the conflict');
  t.equal(await ledger.attemptSpent(attempt), 107);
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

t.test('records of days no budget window reaches are deleted as a list passes them', async (t) => {
  const api = new FakeApi();
  let now = Date.parse('2026-10-30T12:00:00Z');
  const ledger = new KubeLedger({
    client: api,
    namespace: 'orchestrator-system',
    listTtlMs: 0,
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

t.test('a list that a write of this replica overtook is listed again, not kept', async (t) => {
  const api = new FakeApi();
  let hold: Promise<void> | undefined;
  const lists: string[] = [];
  // The apiserver answers a list as the records stood when it came; `hold` delays the answer.
  const client = {
    request: async (method: string, path: string, opts?: object) => {
      const answer = await api.request(method, path, opts as never);
      if (method === 'GET' && path === CMS) {
        lists.push(String((answer as { items?: unknown[] }).items?.length));
        if (hold) await hold;
      }
      return answer;
    },
  };
  const ledger = new KubeLedger({
    client: client as never,
    namespace: 'orchestrator-system',
    listTtlMs: 60_000,
    now: () => DAY,
  });
  await ledger.record(attempt, call(100));
  let open = () => {};
  hold = new Promise((resolve) => {
    open = resolve;
  });
  // A call's check lists while the call before it is being recorded: the record lands first.
  const checked = ledger.attemptSpent(attempt);
  await waitFor('the check to list', () => lists.length === 1 || undefined);
  hold = undefined;
  await ledger.record(attempt, call(50));
  open();
  t.equal(await checked, 150, 'the check counts the call recorded while it listed');
  t.equal(lists.length, 2, 'listed again');
  t.equal(await ledger.attemptSpent(attempt), 150, 'and what is kept for the next checks holds it too');
  t.equal(lists.length, 2, 'kept: no third list within its time');
});
