// config/argo/events executed by Argo Events, and the play of the seeds end to end (docs/argo.md "How
// they are checked"): signed GitHub deliveries posted to the EventSource's pod, the shipped Sensors
// submitting Workflows of config/argo/workflows, the real workflow-controller running them with
// argoexec on the real node, the admission webhooks judging the runs Argo's executor creates, and the
// operator reconciling them into Jobs whose (simulated) agents run on the real node and report a pull
// request through their termination message; Argo advances on the status the operator writes.
// Negative deliveries are posted before a positive one (the sentinel) to the same Sensor, and judged
// once the Sensor has acknowledged every event: whatever they would have started exists by then.
import type { Test } from 'tap';
import type { RunStatus } from '../../../src/api/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { label, REPOSITORY, startEventsSuite } from '../../harness/deploy/argo-events-suite.js';
import { runsOf, untilRuns } from '../../harness/deploy/argo-runs.js';
import {
  nodesOf,
  resumeWorkflow,
  submitWorkflow,
  untilWorkflow,
  type Workflow,
  workflowsPath,
} from '../../harness/deploy/argo-workflows.js';
import { githubPayload, type Payload } from '../../harness/remote/github.js';
import {
  type PullRequestDelivery,
  pullRequestLabelled,
  pullRequestOpened,
  pullRequestReviewed,
} from '../../harness/remote/github-pull-request.js';

/** The suites, one after another under `t`: they share the play's namespace and its Sensors. */
/** Argo's tags as a GitHub user may write them: a global, an input and an expression. */
const ARGO_TAGS = "{{workflow.name}} {{inputs.parameters.github-app}} {{=sprig.repeat(3, 'ab')}}";

export async function sensorSuites(t: Test): Promise<void> {
  /** The namespace of the play, whose agents all succeed but rex on task 8 (the comment’s remediation run). */
  const { busybox, client, controller, ns, post, afterSentinel, acknowledged, untilStep } =
    await startEventsSuite(t, {
      failing: [{ agent: 'rex', taskId: 8 }],
      repositories: ['github.com/acme/payments'],
    });
  const runStatus = (run: KubeObject) => (run.status ?? {}) as RunStatus;

  t.test(
    'a task label starts the play: each agent waits for its pull-request event (and no other), then approval',
    async (t) => {
      const labelled = (name: string, change: (p: Payload) => void = () => {}) =>
        githubPayload('issue_comment.issue', (p) => {
          p.action = 'labeled';
          p.label = label(name);
          p.issue.labels = [label(name)];
          delete p.comment;
          change(p);
        });
      const refused = [
        await post(
          'issues',
          labelled('task-301', (p) => {
            p.sender.type = 'Bot';
          }),
        ),
        await post(
          'issues',
          labelled('task-302', (p) => {
            p.action = 'unlabeled';
          }),
        ),
        await post('issues', labelled('bug')),
        await post('issue_comment', labelled('task-304')),
      ];
      t.same(
        refused.map((r) => r.status),
        [200, 200, 200, 200],
        'the EventSource takes every signed delivery',
      );
      const badSignature = await post('issues', labelled('task-305'), {
        signature: `sha256=${'0'.repeat(64)}`,
      });
      t.not(
        badSignature.status,
        200,
        `a bad signature is refused: ${badSignature.status} ${badSignature.body.message}`,
      );

      const delivered = Date.now();
      t.equal((await post('issues', labelled('task-3'))).status, 200);
      const started = await afterSentinel('github-task-label', 'play-', '3');
      t.same(
        started.map((w) => w.name),
        ['play-payments-t3'],
        'only the task label by a person started a play, named for its task and repository',
      );
      const wf = 'play-payments-t3';
      const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
      t.comment(`signed delivery to the first CodeRun: ${((Date.now() - delivered) / 1000).toFixed(1)} s`);
      t.match(implementation?.spec, {
        taskId: 3,
        service: 'payments',
        githubApp: '5DLabs-Rex',
        repositoryUrl: REPOSITORY,
      });
      t.equal(
        implementation?.metadata?.annotations?.['orchestrator.io/submitted-by'],
        `system:serviceaccount:${ns}:orchestrator-workflow`,
        "admission recorded Argo's executor account as the submitter",
      );
      t.equal(
        (implementation?.spec as { image?: string } | undefined)?.image,
        busybox,
        "admission injected the profile's image",
      );

      // Each wait holds its stage until its own event for this task, from the repository itself.
      const waits: Array<[string, PullRequestDelivery[], PullRequestDelivery, string]> = [
        [
          'pull-request',
          [
            pullRequestOpened(3, (p) => {
              p.pull_request.head.repo.full_name = 'mallory/payments';
            }),
            pullRequestOpened(4),
            // (for task 3, the label, which stays once set, would open that later wait early)
            pullRequestLabelled(4, 'ready-for-qa'),
          ],
          pullRequestOpened(3),
          '5DLabs-Cleo',
        ],
        [
          'ready-for-qa',
          [pullRequestLabelled(3, 'bug'), pullRequestReviewed(4, 'approved')],
          pullRequestLabelled(3, 'ready-for-qa'),
          '5DLabs-Tess',
        ],
        [
          'approved',
          [pullRequestReviewed(3, 'changes_requested'), pullRequestReviewed(3, 'commented')],
          pullRequestReviewed(3, 'approved'),
          '',
        ],
      ];
      for (const [i, [wait, others, opens, next]] of waits.entries()) {
        await untilStep(wf, wait);
        for (const other of others) t.equal((await post(other.event, other.body)).status, 200);
        await acknowledged('github-play-gates');
        const held = await client.request<Workflow>('GET', workflowsPath(ns, wf));
        t.equal(
          nodesOf(held).find((n) => n.displayName === wait)?.phase,
          'Running',
          `${wait}: still waiting after the other events`,
        );
        t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, i + 1, `${wait}: no next stage yet`);
        const all = await client.request<{ items: Workflow[] }>('GET', workflowsPath(ns));
        t.notOk(
          all.items.some((w) => w.metadata?.name === 'play-payments-t4'),
          `${wait}: an event of a task without a play made no Workflow`,
        );
        t.equal((await post(opens.event, opens.body)).status, 200);
        if (next) {
          const runs = await untilRuns(client, ns, 'CodeRun', wf, i + 2, controller);
          t.equal(
            (runs[i + 1]?.spec as { githubApp?: string } | undefined)?.githubApp,
            next,
            `${wait} opened: ${next} runs`,
          );
        }
      }

      const suspended = await untilStep(wf, 'approval');
      t.match(
        suspended.metadata?.annotations,
        { 'play-branch': 'feature/task-3-implementation', 'play-pr-number': '12' },
        'the Sensor passed the branch and the pull request number',
      );
      const runs = await runsOf(client, ns, 'CodeRun', wf);
      t.same(
        runs.map((r) => (r.spec as { githubApp: string }).githubApp),
        ['5DLabs-Rex', '5DLabs-Cleo', '5DLabs-Tess'],
        'implementation, quality, testing: one run each, in that order',
      );
      for (const [i, run] of runs.entries()) {
        const s = runStatus(run);
        t.match(
          s,
          { phase: 'Succeeded', pullRequestUrl: `${REPOSITORY}/pull/3`, workCompleted: true },
          `${run.metadata?.name}: the operator's status`,
        );
        const next = runs[i + 1];
        if (next)
          t.ok(
            String(next.metadata?.creationTimestamp) >= String(s.completionTime),
            `${next.metadata?.name} created once ${run.metadata?.name} had succeeded`,
          );
      }
      t.equal(await resumeWorkflow(client, ns, wf), 1);
      const approved = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
      t.equal(approved.status?.phase, 'Succeeded', 'approved: the play is done');
    },
  );

  t.test(
    'a wait that times out fails the play saying what it waited for; a misnamed play fails at once',
    async (t) => {
      const parameters = {
        'task-id': '4',
        'service-id': 'payments',
        'repository-url': REPOSITORY,
        'docs-repository-url': REPOSITORY,
        'pull-request-timeout': '5',
        'step-image': String(busybox),
      };
      const misnamed = await submitWorkflow(client, ns, 'orchestrator-play', parameters, 'misnamed-');
      const refused = await untilWorkflow(client, ns, misnamed, ['Succeeded', 'Failed', 'Error'], controller);
      t.equal(refused.status?.phase, 'Failed');
      t.match(
        nodesOf(refused).find((n) => n.displayName === 'misnamed')?.message,
        /must be named play-payments-t4 .* not misnamed-/,
        'the association failure names the name the events go to',
      );
      t.same(await runsOf(client, ns, 'CodeRun', misnamed), [], 'no agent ran');

      await submitWorkflow(client, ns, 'orchestrator-play', parameters, { name: 'play-payments-t4' });
      const failed = await untilWorkflow(
        client,
        ns,
        'play-payments-t4',
        ['Succeeded', 'Failed', 'Error'],
        controller,
      );
      t.equal(failed.status?.phase, 'Failed', 'no pull request: the play fails');
      t.match(
        nodesOf(failed).find((n) => n.displayName === 'timed-out')?.message,
        /waited 5s for the pull request of the task's branch to be opened/,
        'its step says what it waited for',
      );
      const [run] = await runsOf(client, ns, 'CodeRun', 'play-payments-t4');
      t.match(runStatus(run as KubeObject), { phase: 'Succeeded' }, 'the implementation agent had succeeded');
    },
  );

  t.test(
    'a pull-request comment starts a remediation run; bots, outsiders, issues, edits, other events and bad signatures start nothing',
    async (t) => {
      const comment = (task: number, change: (p: Payload) => void = () => {}) =>
        githubPayload('issue_comment.pull_request', (p) => {
          p.issue.labels = [label('bug'), label(`task-${task}`)];
          change(p);
        });
      const refused = [
        await post(
          'issue_comment',
          comment(101, (p) => {
            p.sender.type = 'Bot';
          }),
        ),
        await post(
          'issue_comment',
          comment(102, (p) => {
            p.comment.author_association = 'NONE';
          }),
        ),
        await post(
          'issue_comment',
          comment(103, (p) => {
            p.comment.author_association = 'CONTRIBUTOR';
          }),
        ),
        await post(
          'issue_comment',
          comment(104, (p) => {
            delete p.issue.pull_request;
          }),
        ),
        await post(
          'issue_comment',
          comment(105, (p) => {
            p.action = 'edited';
          }),
        ),
        await post(
          'issue_comment',
          comment(106, (p) => {
            p.issue.labels = [label('bug')];
          }),
        ),
        await post('pull_request_review_comment', comment(107)),
      ];
      t.same(
        refused.map((r) => r.status),
        refused.map(() => 200),
      );
      const badSignature = await post('issue_comment', comment(108), {
        signature: `sha256=${'1'.repeat(64)}`,
      });
      t.not(badSignature.status, 200, 'a bad signature is refused');
      // The member's comment carries quotes, a line of YAML and Argo's tags: all of it reaches the run as
      // the feedback's text, nothing of it as a field, and no tag resolved or evaluated by Argo.
      const hostile = (p: Payload) => {
        p.comment.body = `Stop after a 402. "x"\n  githubApp: evil ${ARGO_TAGS}`;
      };
      t.equal((await post('issue_comment', comment(8, hostile))).status, 200);
      const started = await afterSentinel('github-pr-comment', 'pr-comment-', '8');
      t.same(
        started.map((w) => w.task),
        ['8'],
        'only the member’s comment on a task’s pull request started a run',
      );
      const wf = String(started[0]?.name);
      const [run] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
      t.match(run?.spec, { taskId: 8, service: 'payments', continueSession: true, githubApp: '5DLabs-Rex' });
      const said = comment(8, hostile);
      t.same(
        (run?.spec as { remediation?: unknown } | undefined)?.remediation,
        {
          trigger: 'comment',
          feedback: said.comment.body,
          author: said.comment.user.login,
          url: said.comment.html_url,
          pullRequestUrl: said.issue.pull_request.html_url,
        },
        'the comment, its author and where it is, as the feedback its prompt quotes',
      );
      // rex fails task 8: the operator fails the run (no retries here) and the step fails with it.
      const failed = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
      t.equal(failed.status?.phase, 'Failed', 'the failed agent fails the Workflow');
      t.match(nodesOf(failed).find((n) => n.type === 'Pod')?.message, /failure condition/i);
      const [after] = await runsOf(client, ns, 'CodeRun', wf);
      t.match(runStatus(after as KubeObject), { phase: 'Failed', workCompleted: false });
    },
  );

  t.test(
    'a failed CI run on a task branch starts a remediation run; other runs, branches and forks start nothing',
    async (t) => {
      const ci = (task: number, change: (p: Payload) => void = () => {}) =>
        githubPayload('workflow_run.failure', (p) => {
          p.workflow_run.head_branch = `feature/task-${task}-implementation`;
          change(p);
        });
      const refused = [
        await post(
          'workflow_run',
          ci(201, (p) => {
            p.workflow_run.conclusion = 'success';
          }),
        ),
        await post(
          'workflow_run',
          ci(202, (p) => {
            p.action = 'requested';
          }),
        ),
        await post(
          'workflow_run',
          ci(203, (p) => {
            p.workflow_run.head_repository.full_name = 'mallory/payments';
          }),
        ),
        await post(
          'workflow_run',
          ci(204, (p) => {
            p.workflow_run.head_branch = 'task-204-implementation';
          }),
        ),
        await post('check_run', ci(205)),
      ];
      t.same(
        refused.map((r) => r.status),
        refused.map(() => 200),
      );
      const titled = (p: Payload) => {
        p.workflow_run.display_title = `Fix ${ARGO_TAGS}`;
      };
      t.equal((await post('workflow_run', ci(9, titled))).status, 200);
      const started = await afterSentinel('github-ci-failure', 'ci-failure-', '9');
      t.same(
        started.map((w) => w.task),
        ['9'],
        "only the repository's own failed run on a task branch started a run",
      );
      const wf = String(started[0]?.name);
      const done = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
      t.equal(done.status?.phase, 'Succeeded', 'the remediation run succeeded, and its step with it');
      const [run] = await runsOf(client, ns, 'CodeRun', wf);
      t.match(runStatus(run as KubeObject), { phase: 'Succeeded', pullRequestUrl: `${REPOSITORY}/pull/9` });
      const failed = ci(9, titled).workflow_run;
      t.same(
        (run?.spec as { remediation?: unknown } | undefined)?.remediation,
        {
          trigger: 'ci-failure',
          feedback: `The workflow "${failed.name}" failed (attempt 1) on "${failed.display_title}", on the branch feature/task-9-implementation. Its failed jobs' logs say why.`,
          author: failed.actor.login,
          url: failed.html_url,
          pullRequestUrl: `${REPOSITORY}/pull/${failed.pull_requests[0].number}`,
        },
        'the failed workflow, its branch, its page and its pull request, as the feedback its prompt quotes',
      );
    },
  );
}
