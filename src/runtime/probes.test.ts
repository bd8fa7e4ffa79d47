import { request } from 'node:http';
import t from 'tap';
import { boundPort, closeServer, listen } from './http-server.js';
import { HealthChecks, probeHandler } from './probes.js';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

t.test('each check reports ok or its reason; throwing and hanging checks fail with a reason', async (t) => {
  const checks = new HealthChecks('readyz', 50);
  checks.add('synced', () => undefined);
  checks.add('webhook', async () => 'serving certificate not loaded');
  checks.add('broken', () => {
    throw new Error('boom');
  });
  checks.add('hung', () => new Promise(() => undefined));
  const report = await checks.run();
  t.notOk(report.ok);
  t.same(report.lines, [
    '[+]synced ok',
    '[-]webhook failed: serving certificate not loaded',
    '[-]broken failed: boom',
    '[-]hung failed: no answer within 50 ms',
  ]);
  t.throws(() => checks.add('synced', () => undefined), /already exists/);
});

t.test('/healthz and /readyz answer 200 ok or 500 with every line', async (t) => {
  const healthz = new HealthChecks('healthz');
  healthz.add('ping', () => undefined);
  const readyz = new HealthChecks('readyz');
  let synced = false;
  readyz.add('informers-synced', () => (synced ? undefined : '1 of 2 caches not synced yet'));
  const server = await listen(probeHandler(healthz, readyz), { host: '127.0.0.1', port: 0 });
  t.teardown(() => closeServer(server));
  const port = boundPort(server);
  t.same(await get(port, '/healthz'), { status: 200, body: 'ok' });
  t.same(await get(port, '/readyz'), {
    status: 500,
    body: '[-]informers-synced failed: 1 of 2 caches not synced yet\nreadyz check failed\n',
  });
  synced = true;
  t.same(await get(port, '/readyz'), { status: 200, body: 'ok' });
  t.same(await get(port, '/readyz?verbose'), {
    status: 200,
    body: '[+]informers-synced ok\nreadyz check passed\n',
  });
  t.equal((await get(port, '/other')).status, 404);
});
