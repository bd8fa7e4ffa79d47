// What a kept log holds: its text with credentials cut out and a line for what was left out, gzipped
// within a ConfigMap's room, in a ConfigMap the run owns that nobody can change.
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { config, JOB, taskRun } from '../../../test/harness/fakes/job-builder-runs.js';
import { KEPT_LOG_KEY } from '../../runs/index.js';
import { BoundedLog, unstampedBytes } from './bounded-log.js';
import { fitGzip, keptLogConfigMap, keptText } from './kept-log-object.js';

const at = (s: number) => `2026-12-01T10:00:${String(s).padStart(2, '0')}.5Z`;

t.test('a whole log is kept as read, but for the credentials in it', async (t) => {
  const token = `ghs_${'a'.repeat(36)}`;
  const text = `${at(1)} cloning\n${at(2)} Authorization: Bearer ${token}\n${at(3)} done\n`;
  const kept = keptText({ bytes: text.length, head: text, tail: '', cut: false });
  t.equal(kept, `${at(1)} cloning\n${at(2)} Authorization: Bearer [REDACTED]\n${at(3)} done\n`);
});

t.test('a cut log says how much is left out, on a line stamped as the next one', async (t) => {
  const log = new BoundedLog(200);
  for (let s = 0; s < 60; s++) log.add(`${at(s)} line ${s}\n`);
  const held = log.held();
  const lines = keptText(held).split('\n');
  const marker = lines.find((l) => l.includes('[orchestrator:'));
  const left = held.bytes - unstampedBytes(held.head + held.tail);
  t.equal(
    marker,
    `${held.tail.slice(0, held.tail.indexOf(' '))} [orchestrator: ${left} bytes of this log were not kept (logs.keptBytes)]`,
  );
  t.ok(lines.indexOf(marker ?? '') > 0, 'after the head');
});

t.test("a tail that starts inside a private key keeps nothing of the key's end", async (t) => {
  const head = `${at(1)} start\n`;
  const tail = `${at(5)} MIIEowIBAAKCAQEAsecret\n${at(5)} -----END RSA PRIVATE KEY-----\n${at(6)} after\n`;
  const kept = keptText({ bytes: 5000, head, tail, cut: true });
  t.notMatch(kept, /secret/);
  t.match(kept, `${at(5)} [REDACTED]\n${at(6)} after\n`);
  const split = keptText({
    bytes: 5000,
    head: `${at(1)} -----BEGIN RSA PRIVATE KEY-----\n${at(1)} MIIsecret\n`,
    tail,
    cut: true,
  });
  t.notMatch(split, /secret/, 'a key whose BEGIN is in the head and END in the tail is cut whole');
});

t.test('a log that compresses poorly keeps less of each end, within the gzip bound', async (t) => {
  const log = new BoundedLog(400_000);
  for (let i = 0; i < 4000; i++) log.add(`${at(i % 60)} ${randomBytes(60).toString('base64')}\n`);
  const held = log.held();
  const { gzip, keptBytes } = fitGzip(held, 50_000);
  t.ok(gzip.length <= 50_000, `gzipped ${gzip.length} bytes, within 50000`);
  t.ok(keptBytes < 400_000 && keptBytes > 0, `kept ${keptBytes} bytes`);
  const text = gunzipSync(gzip).toString();
  t.match(text, /\[orchestrator: \d+ bytes of this log were not kept/);
  t.ok(
    text
      .split('\n')
      .slice(0, -1)
      .every((l) => l.startsWith('2026-12-01T10:00:')),
    'every line whole and stamped',
  );
  const small = fitGzip(new BoundedLog(1000).held());
  t.equal(gunzipSync(small.gzip).toString(), '', 'an empty log is an empty text');
});

t.test('the ConfigMap: owned by the run, labelled as its objects, immutable, the log gzipped', async (t) => {
  const run = taskRun();
  const gzip = fitGzip({ bytes: 4, head: 'x y\n', tail: '', cut: false }).gzip;
  const cm = keptLogConfigMap({
    kind: 'TaskRun',
    run,
    config,
    jobName: JOB,
    container: 'agent',
    pod: `${JOB}-abcde`,
    gzip,
  });
  t.equal(cm.metadata?.name, `${JOB}-log-agent`);
  t.equal(cm.metadata?.namespace, 'ns');
  t.match(cm.metadata?.ownerReferences, [{ kind: 'TaskRun', name: 'pay-7', uid: 'u-1', controller: true }]);
  t.equal(cm.metadata?.labels?.['orchestrator.io/run'], 'pay-7');
  t.equal(cm.metadata?.labels?.['app.kubernetes.io/managed-by'], 'orchestrator');
  t.equal((cm as { immutable?: boolean }).immutable, true);
  const data = (cm as { binaryData?: Record<string, string> }).binaryData?.[KEPT_LOG_KEY] ?? '';
  t.equal(gunzipSync(Buffer.from(data, 'base64')).toString(), 'x y\n');
});
