// The follower's reading of a Job without a pod: the Job controller's FailedCreate Events say why, a
// missing agent ServiceAccount comes with the command that creates it, and only a refusal that can
// heal by itself (a quota) is not stuck. And a failed Job's cause: the result document's summary, as
// the entry script wrote it, with credential shapes cut.
import t from 'tap';
import type { CoreEvent, KubeObject } from '../../runtime/index.js';
import { followActive, followFinished } from './follower.js';
import { PodsByJob } from './job-pods.js';
import { mapPodCreationToRun, PodCreationIndex } from './pod-creation.js';

const job: KubeObject = { metadata: { name: 'job-1', namespace: 'team', uid: 'job-uid' }, status: {} };
const event = (name: string, message: string, at: string): CoreEvent => ({
  metadata: { name, namespace: 'team', creationTimestamp: at },
  involvedObject: { kind: 'Job', name: 'job-1', namespace: 'team', uid: 'job-uid' },
  reason: 'FailedCreate',
  message,
  firstTimestamp: at,
  lastTimestamp: at,
});
const now = new Date('2026-11-22T10:00:10Z');
const missing =
  'Error creating: pods "job-1-" is forbidden: error looking up service account team/orchestrator-agent: serviceaccount "orchestrator-agent" not found';

t.test('a refused pod: the reason, what to do, stuck until the grace ends', async (t) => {
  const refusals = new PodCreationIndex();
  const pods = new PodsByJob();
  t.same(followActive(job, pods, 60, now, refusals).agent.stage, 'waiting');
  t.match(
    followActive(job, pods, 60, now, refusals).agent,
    { reason: 'PodPending' },
    'no Event: just no pod yet',
  );
  refusals.onAdd(event('e1', missing, '2026-11-22T10:00:00Z'));
  const { agent, stuck } = followActive(job, pods, 60, now, refusals);
  t.match(agent, {
    stage: 'waiting',
    reason: 'PodCreateFailed',
    message:
      /^Job job-1 cannot create its pod: .*serviceaccount "orchestrator-agent" not found; the namespace lacks the agent sandbox: kubectl apply -k config\/agents -n team/,
  });
  t.same(stuck, { failsAt: new Date('2026-11-22T10:01:00Z') }, 'fails when the grace ends');
  const late = followActive(job, pods, 5, now, refusals);
  t.match(late.stuck, { failing: { reason: 'PodCreateFailed' }, deadline: 1 }, 'past the grace: failing now');
  const quota = new PodCreationIndex();
  quota.onAdd(
    event(
      'q',
      'Error creating: pods "job-1-x" is forbidden: exceeded quota: compute',
      '2026-11-22T09:00:00Z',
    ),
  );
  t.equal(followActive(job, pods, 5, now, quota).stuck, undefined, 'a quota may free up: not stuck');
});

t.test('the newest Event wins; an expired one is forgotten; an Event maps to the Job’s run', async (t) => {
  const refusals = new PodCreationIndex();
  refusals.onAdd(event('new', 'second', '2026-11-22T10:00:05Z'));
  refusals.onAdd(event('old', 'first', '2026-11-22T10:00:00Z'));
  t.equal(refusals.of('job-uid')?.message, 'second');
  refusals.onDelete(event('old', 'first', '2026-11-22T10:00:00Z'));
  t.equal(refusals.of('job-uid')?.message, 'second', 'another Event going changes nothing');
  refusals.onDelete(event('new', 'second', '2026-11-22T10:00:05Z'));
  t.equal(refusals.of('job-uid'), undefined);
  const jobs = { get: (ns: string, name: string) => (ns === 'team' && name === 'job-1' ? job : undefined) };
  const toRun = (j: KubeObject) => [{ namespace: 'team', name: `run-of-${j.metadata?.name}` }];
  t.same(mapPodCreationToRun(jobs as never, toRun)(event('e', 'x', '2026-11-22T10:00:00Z')), [
    { namespace: 'team', name: 'run-of-job-1' },
  ]);
  const other = { ...job, metadata: { ...job.metadata, uid: 'another' } };
  const replaced = { get: () => other };
  t.same(
    mapPodCreationToRun(replaced as never, toRun)(event('e', 'x', '2026-11-22T10:00:00Z')),
    [],
    'a Job re-created under the name is not the one',
  );
});

t.test('a failure before the agent: the cause names the step and git’s words, credentials cut', async (t) => {
  const failed: KubeObject = {
    ...job,
    status: {
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          lastTransitionTime: now.toISOString(),
        },
      ],
    },
  };
  // The termination message as templates/agent-shell/result.sh writes it after a failed clone, with a
  // token the shell did not know to cut.
  const summary =
    "failed before the agent ran: cloning https://github.com/acme/docs.git: unable to access 'https://github.com/acme/docs.git/': Could not resolve host: github.com (ghs_0123456789abcdefABCDEF)";
  const pod: KubeObject = {
    metadata: {
      name: 'job-1-abc',
      namespace: 'team',
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name: 'job-1', controller: true, uid: 'job-uid' },
      ],
    },
    status: {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'agent',
          state: {
            terminated: {
              exitCode: 128,
              reason: 'Error',
              message: JSON.stringify({
                protocol: 'orchestrator.io/result/v1',
                workCompleted: false,
                summary,
              }),
            },
          },
        },
      ],
    },
  };
  const pods = new PodsByJob();
  pods.onAdd(pod);
  const finished = followFinished(failed, pods, now);
  if (finished.settling) return t.fail('a terminated pod is settled');
  t.same(finished.cause, {
    reason: 'AgentFailed',
    message:
      "the agent exited with code 128: failed before the agent ran: cloning https://github.com/acme/docs.git: unable to access 'https://github.com/acme/docs.git/': Could not resolve host: github.com (ghs_[REDACTED])",
    exitCode: 128,
  });
});
