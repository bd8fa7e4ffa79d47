// A CodeRun as Argo's coderun-template makes it for a play (src/controllers/play/'s tests): task 3 of
// acme/payments in namespace team-a, labelled with its Workflow and owned by it (or, with `workflow`
// null, a run no Workflow made), acting as `app`, created at `created`, running unless `status` says more.
import type { CodeRun } from '../../../src/api/index.js';

export const PLAY_WORKFLOW = { name: 'play-payments-t3', uid: 'wf-uid-1' };

export function playStage(
  name: string,
  app: string,
  created: string,
  status: Partial<NonNullable<CodeRun['status']>> = {},
  workflow: { name: string; uid: string } | null = PLAY_WORKFLOW,
): CodeRun {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: {
      name,
      namespace: 'team-a',
      uid: `uid-${name}`,
      creationTimestamp: created,
      ...(workflow
        ? {
            labels: { 'workflows.argoproj.io/workflow': workflow.name },
            ownerReferences: [
              {
                apiVersion: 'argoproj.io/v1alpha1',
                kind: 'Workflow',
                name: workflow.name,
                uid: workflow.uid,
              },
            ],
          }
        : {}),
    },
    spec: {
      taskId: 3,
      service: 'payments',
      githubApp: app,
      repositoryUrl: 'https://github.com/acme/payments',
      docsRepositoryUrl: 'https://github.com/acme/payments',
    } as CodeRun['spec'],
    status: { phase: 'Running', attempt: 1, startTime: created, ...status } as CodeRun['status'],
  };
}
