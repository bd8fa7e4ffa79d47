// A replica is ready when every server it started serves: a readyz check per server, under its name,
// saying which one is not serving; a server not started (the REST API off) has none.
import t from 'tap';
import { addReadinessChecks } from './readiness.js';

function checks(servers: Parameters<typeof addReadinessChecks>[1]) {
  const added = new Map<string, () => string | undefined>();
  addReadinessChecks(
    { addReadyzCheck: (name: string, check: () => string | undefined) => added.set(name, check) } as never,
    servers,
  );
  return added;
}

const server = (serving: boolean) => ({ serving: () => serving }) as never;

t.test('a check per server started, failing while it does not serve', async (t) => {
  const added = checks({ webhook: server(true), api: server(false), gateway: server(false) });
  t.same([...added.keys()], ['webhook', 'api', 'gateway']);
  t.equal(added.get('webhook')?.(), undefined);
  t.equal(added.get('api')?.(), 'the REST API server is not serving');
  t.equal(added.get('gateway')?.(), 'the model gateway is not serving');
});

t.test('no check for a server not started', async (t) => {
  t.same(
    [...checks({ webhook: server(false) }).entries()].map(([name, check]) => [name, check()]),
    [['webhook', 'the webhook server is not serving']],
  );
});
