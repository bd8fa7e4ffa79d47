// A kept log read back: only the ConfigMap status names, by its uid; the window cut as the kubelet
// cuts a live log's.
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import type { KubeObject } from '../runtime/index.js';
import { KEPT_LOG_KEY, keptInstead, keptWindow, readKeptLog } from './kept-log.js';

const TEXT = [
  '2026-12-01T10:00:00.5Z first',
  '2026-12-01T10:00:30Z second line',
  '2026-12-01T10:01:00.123456789Z third',
  '',
].join('\n');
const NOW = new Date('2026-12-01T10:01:10Z');
const CMS = '/api/v1/namespaces/ns/configmaps';

t.test('the window: since, then tail, then bytes; timestamps cut off unless asked', async (t) => {
  t.equal(keptWindow(TEXT, {}, NOW), 'first\nsecond line\nthird\n');
  t.equal(keptWindow(TEXT, {}, NOW, true), TEXT);
  t.equal(keptWindow(TEXT, { sinceSeconds: 45 }, NOW), 'second line\nthird\n');
  t.equal(keptWindow(TEXT, { tailLines: 1 }, NOW), 'third\n');
  t.equal(keptWindow(TEXT, { tailLines: 0 }, NOW), '');
  t.equal(keptWindow(TEXT, { sinceSeconds: 45, tailLines: 5, limitBytes: 8 }, NOW), 'second l');
  t.equal(
    keptWindow('no stamp here\n', { sinceSeconds: 1 }, NOW),
    'stamp here\n',
    'a line without a stamp is kept',
  );
});

const entry = { attempt: 1, container: 'agent', configMap: 'job-log-agent', uid: 'uid-1', bytes: 10 };
const seeded = (uid: string) => {
  const api = new FakeApi();
  const binaryData = { [KEPT_LOG_KEY]: gzipSync(TEXT).toString('base64') };
  api.seed(CMS, { metadata: { name: 'job-log-agent', uid }, binaryData } as KubeObject);
  return api;
};

t.test('read back by the uid status records, or why not', async (t) => {
  t.same(await readKeptLog(seeded('uid-1'), 'ns', entry), { text: TEXT });
  t.match(await readKeptLog(seeded('uid-9'), 'ns', entry), { none: /is not the one the operator wrote/ });
  t.match(await readKeptLog(new FakeApi(), 'ns', entry), { none: /ConfigMap job-log-agent was deleted/ });
  const bomb = new FakeApi();
  const big = gzipSync(Buffer.alloc(20 * 1024 * 1024)).toString('base64');
  bomb.seed(CMS, {
    metadata: { name: 'job-log-agent', uid: 'uid-1' },
    binaryData: { [KEPT_LOG_KEY]: big },
  } as KubeObject);
  t.match(
    await readKeptLog(bomb, 'ns', entry),
    { none: /is not the one the operator wrote/ },
    'no more read than the operator writes',
  );
  const lost = {
    attempt: 1,
    container: 'agent',
    bytes: 0,
    lost: 'its pod was deleted before its log was read',
  };
  t.same(await readKeptLog(new FakeApi(), 'ns', lost), {
    none: "the kept log of attempt 1's agent container was not kept: its pod was deleted before its log was read",
  });
});

t.test(
  'instead of a pod that is gone: the kept log of the attempt asked, else locate says why',
  async (t) => {
    const run = { metadata: { namespace: 'ns' }, status: { attempt: 1, logs: [entry] } };
    const none = { wait: false, message: 'the Job of attempt 1 is gone' };
    t.same(await keptInstead(seeded('uid-1'), run, {}, none), { text: TEXT });
    t.same(await keptInstead(seeded('uid-1'), run, { init: true }, none), { none }, 'no prepare log kept');
    t.same(await keptInstead(seeded('uid-1'), run, { attempt: 2 }, none), { none });
    t.match(await keptInstead(seeded('uid-9'), run, {}, none), {
      none: { wait: false, message: /^the Job of attempt 1 is gone; the kept log .* is not the one/ },
    });
  },
);
