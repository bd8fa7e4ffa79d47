// A request's pod by address and time: only while its containers ran, never when two pods could have
// sent it.
import t from 'tap';
import type { KubeObject } from '../../runtime/index.js';
import { PodsByAddress, podWindow } from './pods-by-address.js';

const ms = (s: string) => Date.parse(`2026-11-26T10:00:${s}Z`);
const pod = (uid: string, ip: string, started: string, finished?: string): KubeObject => ({
  metadata: { uid, name: uid, namespace: 'team-a' },
  status: {
    phase: finished ? 'Succeeded' : 'Running',
    podIP: ip,
    initContainerStatuses: [
      {
        name: 'prepare',
        state: {
          terminated: {
            startedAt: `2026-11-26T10:00:${started}Z`,
            finishedAt: `2026-11-26T10:00:${started}Z`,
          },
        },
      },
    ],
    containerStatuses: [
      {
        name: 'publish',
        state: finished
          ? {
              terminated: {
                startedAt: `2026-11-26T10:00:${started}Z`,
                finishedAt: `2026-11-26T10:00:${finished}Z`,
              },
            }
          : { running: { startedAt: `2026-11-26T10:00:${started}Z` } },
      },
    ],
  },
});

t.test('a pod answers from the second of its first start to the second after its end', async (t) => {
  t.same(podWindow(pod('a', '10.0.0.5', '10', '20')), { from: ms('10'), to: ms('21') });
  t.same(podWindow(pod('a', '10.0.0.5', '10')), { from: ms('10') });
  t.equal(podWindow({ status: { podIP: '10.0.0.5', phase: 'Pending' } }), undefined, 'nothing ran yet');
});

t.test('an address reused: each pod for its own time, nobody where they meet', async (t) => {
  const index = new PodsByAddress();
  const old = pod('old', '10.0.0.5', '10', '20');
  index.onAdd(old);
  index.onAdd(pod('new', '10.0.0.5', '20'));
  index.onAdd(pod('other', '10.0.0.6', '00'));
  t.equal(index.at('10.0.0.5', ms('15'))?.metadata?.uid, 'old');
  t.equal(index.at('10.0.0.5', ms('30'))?.metadata?.uid, 'new');
  t.equal(index.at('10.0.0.5', ms('21')), undefined, 'both could have sent it: nobody’s');
  t.equal(index.at('10.0.0.5', ms('09')), undefined, 'before anything ran');
  t.equal(index.at('10.0.0.7', ms('15')), undefined, 'an address no pod of ours holds');
  index.onDelete(old);
  t.equal(index.at('10.0.0.5', ms('15')), undefined, 'the old pod gone: the new one did not run yet');
  const moved = pod('other', '10.0.0.8', '00');
  index.onUpdate(pod('other', '10.0.0.6', '00'), moved);
  t.equal(index.at('10.0.0.6', ms('15')), undefined);
  t.equal(index.at('10.0.0.8', ms('15'))?.metadata?.uid, 'other');
});
