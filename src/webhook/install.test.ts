import t from 'tap';
import { localConfigurations, webhookManifests } from './install.js';

const opts = { baseUrl: 'https://127.0.0.1:9443', caPem: 'PEM' };
const hooks = (o = {}) => localConfigurations({ ...opts, ...o }).flatMap((c) => c.webhooks ?? []);

t.test('a local registration keeps the shipped limits unless told otherwise', async (t) => {
  const shipped = Object.values(webhookManifests()).flatMap((c) => c.webhooks ?? []);
  t.ok(shipped.length > 0);
  t.same(
    hooks().map((h) => h.timeoutSeconds),
    shipped.map((h) => h.timeoutSeconds),
  );
  t.ok(
    hooks({ timeoutSeconds: 30 }).every((h) => h.timeoutSeconds === 30),
    'every webhook gets the given limit',
  );
  t.ok(
    hooks().every((h) => h.clientConfig.url?.startsWith(opts.baseUrl) && h.clientConfig.caBundle === 'UEVN'),
    'reached by URL with the given CA',
  );
});
