import t from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import type { MeteredCall } from './handler.js';
import { KubeLedger } from './kube-ledger.js';
import { ledgerRecordName } from './ledger-record.js';

const attempt = { namespace: 'team-a', kind: 'TaskRun', run: 'fix', uid: 'uid-fix', attempt: 1, job: 'fix-1' };
const call = (costMicros: number): MeteredCall => ({
  provider: 'anthropic',
  model: 'claude-sonnet-4-6',
  priced: 'claude-sonnet-4-6',
  tokens: { input: 10, output: 20, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 0 },
  costMicros,
  cut: false,
});
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
