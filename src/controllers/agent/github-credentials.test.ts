// The Job of a run acting as a GitHub App or a GitHub user: which credentials the agent container
// gets, by reference, for which URL forms (docs/design.md §1.2, GitHub authentication).
import t from 'tap';
import {
  type CodeRun,
  type ControllerConfig,
  type DefaultedRun,
  defaulted,
  type RunKindName,
} from '../../api/index.js';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { RUN_STRATEGIES, type RunStrategy } from '../kind/strategy.js';
import { secretName } from './github-credentials.js';
import { attemptJob } from './manifests.js';

const config = loadDefaultConfig();
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON, checked field by field.
type Json = Record<string, any>;

const SSH = 'git@github.com:acme/payments.git';
const HTTPS = 'https://github.com/acme/docs';

/** The pod template of attempt 1 of a run of `kind` with `spec`, defaulted as the reconciler does. */
function podOf(
  kind: 'TaskRun' | 'CodeRun',
  spec: Json,
  cfg: ControllerConfig = config,
  githubToken?: string,
): Json {
  const run = defaulted(kind, { metadata: { name: 'pay', namespace: 'ns', uid: 'u-1' }, spec }, cfg);
  const strategy = RUN_STRATEGIES[kind] as RunStrategy;
  const input = { strategy, run: run as DefaultedRun<RunKindName>, config: cfg, attempt: 1 };
  return (attemptJob(githubToken ? { ...input, githubToken } : input) as Json).spec.template.spec;
}

const codeRunPod = (spec: Partial<CodeRun['spec']>, cfg?: ControllerConfig, githubToken?: string) =>
  podOf(
    'CodeRun',
    { taskId: 7, service: 'payments', repositoryUrl: SSH, docsRepositoryUrl: SSH, ...spec },
    cfg,
    githubToken,
  );

const envOf = (pod: Json) => pod.containers[0].env.filter((e: Json) => e.name !== 'ANTHROPIC_API_KEY');
const sshVolume = {
  name: 'github-ssh',
  secret: { secretName: 'github-ssh-swe-1-5dlabs', defaultMode: 0o400, optional: true },
};
const sshMount = {
  name: 'github-ssh',
  mountPath: '/var/run/secrets/orchestrator/github-ssh',
  readOnly: true,
};
const token = (optional: boolean) => ({
  name: 'GITHUB_TOKEN',
  valueFrom: {
    secretKeyRef: { name: 'github-pat-swe-1-5dlabs', key: 'token', ...(optional ? { optional } : {}) },
  },
});
const keyFile = {
  name: 'GITHUB_SSH_KEY_FILE',
  value: '/var/run/secrets/orchestrator/github-ssh/ssh-privatekey',
};

t.test(
  'a GitHub App: the minted token Secret mounted read-only in the agent container; never the key',
  async (t) => {
    const pod = codeRunPod({ githubApp: '5DLabs-Rex' }, config, 'pay-1-github-token');
    t.same(envOf(pod), [
      { name: 'GITHUB_APP_TOKEN_FILE', value: '/var/run/secrets/orchestrator/github-token/token' },
    ]);
    t.same(pod.volumes.at(-1), {
      name: 'github-token',
      secret: { secretName: 'pay-1-github-token', defaultMode: 0o400 },
    });
    t.same(pod.containers[0].volumeMounts.at(-1), {
      name: 'github-token',
      mountPath: '/var/run/secrets/orchestrator/github-token',
      readOnly: true,
    });
    t.notOk(
      pod.initContainers[0].volumeMounts.some((m: Json) => m.name === 'github-token'),
      'the init container never sees it',
    );
    t.notMatch(
      JSON.stringify(pod),
      /github-app-|GITHUB_APP_PRIVATE_KEY|GITHUB_APP_ID/,
      'nothing of the App key',
    );
    const anonymous = codeRunPod({ githubApp: '5DLabs-Rex' });
    t.same(envOf(anonymous), [], 'an operator that mints no tokens: no credential at all');
    t.equal(anonymous.volumes.length, 2, 'the task files and the workspace only');
  },
);

t.test('a GitHub user over SSH: the key Secret mounted 0400 in the agent container only', async (t) => {
  const pod = codeRunPod({ githubUser: 'Swe-1-5dlabs' });
  t.same(envOf(pod), [token(true), keyFile], 'the token only for the pull request, so optional');
  t.same(pod.volumes.at(-1), sshVolume, 'Secret names are lower case');
  t.same(pod.containers[0].volumeMounts.at(-1), sshMount);
  t.notOk(
    pod.initContainers[0].volumeMounts.some((m: Json) => m.name === 'github-ssh'),
    'the init container never sees it',
  );
  t.match(pod.securityContext, { runAsUser: 1000, fsGroup: 1000 }, 'the run user reads it through its group');
  t.equal(pod.containers[0].image, config.agents.rex?.image, 'the default agent runs');
});

t.test('a GitHub user over https: the token, required; both forms: both', async (t) => {
  const https = codeRunPod({ githubUser: 'swe-1-5dlabs', repositoryUrl: HTTPS, docsRepositoryUrl: HTTPS });
  t.same(envOf(https), [token(false)]);
  t.equal(https.volumes.length, 2, 'no SSH volume');
  const both = codeRunPod({ githubUser: 'swe-1-5dlabs', docsRepositoryUrl: HTTPS });
  t.same(envOf(both), [token(false), keyFile]);
  t.same(both.volumes.at(-1), sshVolume);
});

t.test('the Secret names and keys come from the config', async (t) => {
  const cfg = configFrom({
    ...config,
    secrets: {
      githubSshKey: { name: 'ssh-{githubUser}-key', key: 'id_ed25519' },
      githubToken: { name: 'tokens-{githubUser}', key: 'pat' },
    },
  });
  const pod = codeRunPod({ githubUser: 'swe-1', docsRepositoryUrl: HTTPS }, cfg);
  t.same(envOf(pod), [
    { name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'tokens-swe-1', key: 'pat' } } },
    { name: 'GITHUB_SSH_KEY_FILE', value: '/var/run/secrets/orchestrator/github-ssh/id_ed25519' },
  ]);
  t.equal(pod.volumes.at(-1).secret.secretName, 'ssh-swe-1-key');
  t.equal(secretName('github-app-{githubApp}', { method: 'user', user: 'u', transports: [] }), undefined);
});

t.test("a TaskRun: repository.githubUser instead of the profile's App", async (t) => {
  const pod = podOf('TaskRun', {
    taskId: 7,
    serviceName: 'payments',
    markdownFiles: [{ filename: 'task.md', content: 'x' }],
    repository: { url: SSH, githubUser: 'swe-1-5dlabs' },
  });
  t.same(envOf(pod), [token(true), keyFile]);
  t.same(pod.volumes.at(-1), sshVolume);
});
