// createRuns against an in-memory API: --dry-run=server asks the apiserver for a dry run (admitted, not
// stored) and says so as kubectl does; a plain create is stored.
import t from 'tap';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { createRuns } from './create.js';
import { runPath } from './kinds.js';
import type { Connection } from './kube.js';

const connection = (api: FakeApi): Connection =>
  ({ client: api, namespace: 'ns', server: 'https://k', close() {} }) as unknown as Connection;
const doc = {
  kind: 'TaskRun' as const,
  object: { metadata: { name: 'pay-7' }, spec: { taskId: 7 } },
  source: 'flags',
};

t.test(
  '--dry-run=server: POST with dryRun=All, reported as a server dry run, nothing to follow',
  async (t) => {
    const api = new FakeApi();
    const io = memoryIO();
    t.same(await createRuns(connection(api), [doc], io, { serverDryRun: true }), []);
    t.same(api.made('POST', runPath('TaskRun', 'ns'))[0]?.query, { dryRun: 'All' });
    t.equal(io.stdout(), 'taskrun.orchestrator.io/pay-7 created (server dry run)\n');
  },
);

t.test('a plain create: no dryRun, the run followed', async (t) => {
  const api = new FakeApi();
  const io = memoryIO();
  t.same(await createRuns(connection(api), [doc], io), [{ kind: 'TaskRun', name: 'pay-7', namespace: 'ns' }]);
  t.equal(api.made('POST', runPath('TaskRun', 'ns'))[0]?.query, undefined);
  t.equal(io.stdout(), 'taskrun.orchestrator.io/pay-7 created\n');
});
