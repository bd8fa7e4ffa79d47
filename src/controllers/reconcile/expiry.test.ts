import t from 'tap';
import type { ControllerConfig, Run } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import { expiresAt, finishedAt } from './expiry.js';

const config = loadDefaultConfig();
const withTtl = (ttlSecondsAfterFinished: number): ControllerConfig => ({
  ...config,
  cleanup: { ttlSecondsAfterFinished },
});
const run = (status: Record<string, unknown>) =>
  ({ metadata: { name: 'r' }, spec: {}, status }) as unknown as Run;
const now = new Date('2026-11-22T10:00:00Z');

t.test('a finished run expires its TTL after it finished; without a TTL it is kept', async (t) => {
  const done = run({ phase: 'Succeeded', completionTime: '2026-11-22T09:00:00Z' });
  t.equal(expiresAt(done, config, now), undefined, 'no TTL configured: kept');
  t.same(expiresAt(done, withTtl(60), now), new Date('2026-11-22T09:01:00Z'));
  t.same(expiresAt(done, withTtl(0), now), new Date('2026-11-22T09:00:00Z'), 'TTL 0: at once');
});

t.test('a run failed before it had a Job counts from its Succeeded condition, else from now', async (t) => {
  const failed = run({
    phase: 'Failed',
    conditions: [{ type: 'Succeeded', status: 'False', lastTransitionTime: '2026-11-22T08:00:00Z' }],
  });
  t.same(finishedAt(failed), new Date('2026-11-22T08:00:00Z'));
  t.same(expiresAt(run({ phase: 'Failed' }), withTtl(30), now), new Date('2026-11-22T10:00:30Z'));
});
