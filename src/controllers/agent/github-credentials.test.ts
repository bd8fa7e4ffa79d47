// The Job of a run acting as a GitHub App or a GitHub user: which credentials the prepare container
// and the publisher get, by reference, for which URL forms (docs/design.md §1.2, GitHub
// authentication), and that the agent's container gets none (docs/security.md, "Phases and their
// credentials").
import t, { type Test } from 'tap';
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
// Not the shipped setting: the gateway and egress off, so that these unit cases see the builders'
// baseline; the cases of each protection turn it on (manifests-gateway.test.ts, manifests-egress.test.ts,
// decide-usage.test.ts), and the suites that start a manager run the shipped config.
config.gateway.enabled = false;
config.egress.enabled = false;
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON, checked field by field.
type Json = Record<string, any>;

const SSH = 'git@github.com:acme/payments.git';
const HTTPS = 'https://github.com/acme/docs';

/** The pod template of attempt 1 of a run of `kind` with `spec`, defaulted as the reconciler does. */
function podOf(kind: 'TaskRun' | 'CodeRun', spec: Json, cfg: ControllerConfig = config): Json {
  const run = defaulted(kind, { metadata: { name: 'pay', namespace: 'ns', uid: 'u-1' }, spec }, cfg);
  const strategy = RUN_STRATEGIES[kind] as RunStrategy;
  const input = { strategy, run: run as DefaultedRun<RunKindName>, config: cfg, attempt: 1 };
  return (attemptJob(input) as Json).spec.template.spec;
}

const codeRunPod = (spec: Partial<CodeRun['spec']>, cfg?: ControllerConfig) =>
  podOf(
    'CodeRun',
    { taskId: 7, service: 'payments', repositoryUrl: SSH, docsRepositoryUrl: SSH, ...spec },
    cfg,
  );

const container = (pod: Json, name: string) =>
  [...pod.initContainers, ...pod.containers].find((c: Json) => c.name === name);
/** A container's credential variables (not the run directory, not the model's key). */
const envOf = (pod: Json, name = 'publish') =>
  (container(pod, name).env ?? []).filter((e: Json) => !['ANTHROPIC_API_KEY', 'RUN_DIR'].includes(e.name));
const CREDENTIAL_ENV = [
  'GITHUB_TOKEN',
  'GITHUB_APP_TOKEN_FILE',
  'GITHUB_APP_TOKEN_URL',
  'GITHUB_APP_TOKEN_CREDENTIAL_FILE',
  'GITHUB_SSH_KEY_FILE',
  'GH_TOKEN',
];
/** The agent's container: no credential variable, no credential volume. */
function agentHoldsNone(t: Test, pod: Json) {
  const agent = container(pod, 'agent');
  t.notOk(
    (agent.env ?? []).some((e: Json) => CREDENTIAL_ENV.includes(e.name)),
    "no GitHub credential in the agent's environment",
  );
  t.notOk(
    agent.volumeMounts.some((m: Json) => m.name.startsWith('github-')),
    "no GitHub credential mounted in the agent's container",
  );
}
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
  'a GitHub App: prepare and the publisher ask the broker for their own token; the agent has no way to; never the key',
  async (t) => {
    const pod = codeRunPod({ githubApp: '5DLabs-Rex' });
    const credential = {
      name: 'GITHUB_APP_TOKEN_CREDENTIAL_FILE',
      value: '/var/run/secrets/orchestrator/github-token-credential/token',
    };
    const url = (phase: string) => ({
      name: 'GITHUB_APP_TOKEN_URL',
      value: `http://orchestrator-gateway.orchestrator-system.svc:8090/orchestrator/v1/github-token/${phase}`,
    });
    t.same(envOf(pod, 'prepare-workspace'), [url('read'), credential]);
    t.same(envOf(pod, 'publish'), [url('write'), credential]);
    t.same(
      pod.volumes.at(-1),
      {
        name: 'github-token-credential',
        projected: {
          defaultMode: 0o400,
          sources: [
            {
              serviceAccountToken: {
                audience: 'orchestrator.io/github-token',
                expirationSeconds: 600,
                path: 'token',
              },
            },
          ],
        },
      },
      "a projected ServiceAccount token of the broker's audience, bound to the pod",
    );
    t.notMatch(JSON.stringify(pod.volumes), /"secret"/, 'no Secret holds a token');
    const mount = {
      name: 'github-token-credential',
      mountPath: '/var/run/secrets/orchestrator/github-token-credential',
      readOnly: true,
    };
    t.same(container(pod, 'prepare-workspace').volumeMounts.at(-1), mount);
    t.same(container(pod, 'publish').volumeMounts.at(-1), mount);
    agentHoldsNone(t, pod);
    t.equal(pod.automountServiceAccountToken, false, 'and no automounted ServiceAccount token either');
    t.notMatch(
      JSON.stringify(pod),
      /github-app-|GITHUB_APP_PRIVATE_KEY|GITHUB_APP_ID/,
      'nothing of the App key',
    );
    const keyless = configFrom({ ...config, secrets: { ...config.secrets, githubAppPrivateKey: undefined } });
    const anonymous = codeRunPod({ githubApp: '5DLabs-Rex' }, keyless);
    t.same(envOf(anonymous), [], 'an operator that mints no tokens: no credential at all');
    t.same(
      anonymous.volumes.map((v: Json) => v.name),
      ['task-files', 'workspace', 'base-branch'],
      'the task files, the workspace and what prepare read from the base branch only',
    );
  },
);

t.test(
  'a GitHub user over SSH: the key Secret mounted 0400 for prepare and the publisher only',
  async (t) => {
    const pod = codeRunPod({ githubUser: 'Swe-1-5dlabs' });
    t.same(envOf(pod), [token(true), keyFile], 'the token only for the pull request, so optional');
    t.same(envOf(pod, 'prepare-workspace'), [token(true), keyFile]);
    t.same(pod.volumes.at(-1), sshVolume, 'Secret names are lower case, one volume for both');
    t.same(container(pod, 'publish').volumeMounts.at(-1), sshMount);
    t.same(container(pod, 'prepare-workspace').volumeMounts.at(-1), sshMount);
    agentHoldsNone(t, pod);
    t.match(
      pod.securityContext,
      { runAsUser: 1000, fsGroup: 1000 },
      'the run user reads it through its group',
    );
    t.equal(container(pod, 'agent').image, config.agents.rex?.image, 'the default agent runs');
  },
);

t.test('a GitHub user over https: the token, required; both forms: both', async (t) => {
  const https = codeRunPod({ githubUser: 'swe-1-5dlabs', repositoryUrl: HTTPS, docsRepositoryUrl: HTTPS });
  t.same(envOf(https), [token(false)]);
  t.notOk(
    https.volumes.some((v: Json) => v.name.startsWith('github-')),
    'no SSH volume',
  );
  agentHoldsNone(t, https);
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
  agentHoldsNone(t, pod);
});
