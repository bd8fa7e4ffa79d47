// The adoption rule: an object under one of a run's names is the run's only when the operator made it
// for that run: the uid the run's status records, else the operator's seal for that run.
import t from 'tap';
import type { KubeObject } from '../../runtime/index.js';
import { notMadeFor } from './made-by.js';
import { objectSeal, SEAL_ANNOTATION } from './seal.js';

const seal = objectSeal(Buffer.from('the operator key'));
const RUN = 'run-uid';

const job = (name: string, uid: string, owner = RUN): KubeObject => ({
  metadata: {
    name,
    namespace: 'ns',
    uid,
    ownerReferences: [
      { apiVersion: 'orchestrator.io/v1', kind: 'TaskRun', name: 'pay-7', uid: owner, controller: true },
    ],
  },
});

t.test('an object the operator sealed for the run is its, until its uid is recorded', async (t) => {
  t.equal(notMadeFor(seal.stamp(job('j-2', 'u2'), 'Job', RUN), 'Job', { uid: RUN }, seal), undefined);
});

t.test("an object controlled by the run but not sealed is not the run's, whatever its labels", async (t) => {
  t.match(notMadeFor(job('j-2', 'u2'), 'Job', { uid: RUN }, seal), /the operator did not make it/);
});

t.test('a seal made with another key, for another run, name or kind, is no seal', async (t) => {
  const other = objectSeal(Buffer.from('a guessed key'));
  t.ok(notMadeFor(other.stamp(job('j-2', 'u2'), 'Job', RUN), 'Job', { uid: RUN }, seal), 'another key');
  const copied = seal.stamp(job('j-1', 'u1'), 'Job', RUN).metadata?.annotations?.[SEAL_ANNOTATION] ?? '';
  const forged = {
    ...job('j-2', 'u2'),
    metadata: { ...job('j-2', 'u2').metadata, annotations: { [SEAL_ANNOTATION]: copied } },
  };
  t.ok(notMadeFor(forged, 'Job', { uid: RUN }, seal), "attempt 1's seal on attempt 2's name");
  t.ok(
    notMadeFor(seal.stamp(job('j-2', 'u2'), 'ConfigMap', RUN), 'Job', { uid: RUN }, seal),
    "a ConfigMap's seal",
  );
  const theirs = seal.stamp(job('j-2', 'u2', 'other-run'), 'Job', 'other-run');
  t.match(
    notMadeFor(theirs, 'Job', { uid: RUN }, seal),
    /controlled by TaskRun pay-7/,
    "another run's object",
  );
});

t.test(
  "once the status records a uid under the name, only that uid is the run's, sealed or not",
  async (t) => {
    const status = { jobName: 'j-2', jobUid: 'u2' };
    t.equal(notMadeFor(job('j-2', 'u2'), 'Job', { uid: RUN, status }, seal), undefined, 'the recorded one');
    // Deleted and made again with the same metadata (the seal copied): another uid.
    const again = seal.stamp(job('j-2', 'u3'), 'Job', RUN);
    t.match(
      notMadeFor(again, 'Job', { uid: RUN, status }, seal),
      /its uid is not the Job the operator made, u2/,
    );
    const cm = { configMapName: 'c-2', configMapUid: 'c2' };
    t.match(
      notMadeFor(seal.stamp(job('c-2', 'c9'), 'ConfigMap', RUN), 'ConfigMap', { uid: RUN, status: cm }, seal),
      /uid/,
    );
  },
);
