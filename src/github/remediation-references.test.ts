// A remediation run may make its pod use only what the run it continues did: what remediationRun
// builds passes; anything more (a Secret, another ServiceAccount or claim, another agent profile or App
// repository) is named and refused.
import t from 'tap';
import { type CodeRun, defaulted } from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import { sampleCodeRun } from '../render/samples.js';
import { referencesBeyondPrevious } from './remediation-references.js';
import { remediationRun } from './remediation-run.js';

const config = loadDefaultConfig();
const sample = sampleCodeRun({ agent: 'rex', preset: 'default', continuing: false }, config);
const stored: CodeRun = {
  ...sample,
  metadata: { ...sample.metadata, name: 'payments-task-7-rex' },
  spec: {
    ...sample.spec,
    envFromSecrets: [{ name: 'DB', secretName: 'db-password', secretKey: 'pw' }],
    serviceAccountName: 'deployer',
  },
};
const previous = defaulted('CodeRun', stored, config);
const run = remediationRun(
  {
    previous,
    target: {
      repository: { name: 'acme/payments', namespace: 'team-a' },
      taskId: 7,
      feedback: {
        trigger: 'comment',
        repository: 'acme/payments',
        text: 'fix it',
        author: 'octocat',
        actor: 'octocat',
        labels: [],
        sameRepository: true,
        key: 'comment-1',
      },
    },
    name: 'gh-1',
    delivery: '1',
    event: 'issue_comment',
  },
  config,
);

t.test('the continued run’s own references pass', async (t) => {
  t.equal(referencesBeyondPrevious(run, previous, config), undefined);
});

t.test('anything more is named and refused', async (t) => {
  const more: CodeRun = {
    ...run,
    spec: {
      ...run.spec,
      envFromSecrets: [
        ...(run.spec.envFromSecrets ?? []),
        { name: 'X', secretName: 'cloud-admin', secretKey: 'k' },
      ],
      workspace: { ...run.spec.workspace, pvcName: 'other-team' },
    },
  };
  t.equal(
    referencesBeyondPrevious(more, previous, config),
    'the remediation run would use what payments-task-7-rex did not (spec.envFromSecrets[1].secretName: secrets "cloud-admin", spec.workspace.pvcName: persistentvolumeclaims "other-team"); a GitHub event may only continue a run with what its submitter was allowed',
  );
});

t.test('another agent profile or another repository is beyond the continued run', async (t) => {
  t.equal(
    referencesBeyondPrevious(run, previous, config),
    undefined,
    'the same profile and repositories: the previous submitter was allowed them',
  );
  const widened: CodeRun = {
    ...run,
    spec: {
      ...run.spec,
      githubApp: '5DLabs-Tess',
      repositoryUrl: 'https://github.com/acme/ledger',
      docsRepositoryUrl: 'https://github.com/acme/payments',
    },
  };
  // The stored workspace is rex's (shared by implementation agents): tess's own would be another.
  t.equal(
    referencesBeyondPrevious(widened, previous, config),
    'the remediation run would use what payments-task-7-rex did not (spec.workspace.pvcName: persistentvolumeclaims "workspace-payments", spec.githubApp: agentprofiles "tess", spec.repositoryUrl: repositories "github.com/acme/ledger"); a GitHub event may only continue a run with what its submitter was allowed',
  );
});
