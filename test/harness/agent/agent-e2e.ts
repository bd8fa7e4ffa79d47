// The end-to-end suite's world (test/integration/agent-e2e*.test.ts): the agent image as users build
// it (src/cluster/agent-image.ts), made to trust the suite's CA the way a user adds a private CA; git
// repositories behind git's own http-backend over HTTPS, checking the token git presents; what
// pods on the real node need to reach them: the host's address on the pods' bridge; and an agent's
// script that ignores its spend cap.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ControllerConfig } from '../../../src/api/index.js';
import { defaulted, type RunKindName, type RunOf, type RunStatus } from '../../../src/api/index.js';
import { createAuthority } from '../../../src/certs/authority.js';
import { buildLocalImage, cacheRoot, type LocalImage } from '../../../src/cluster/index.js';
import { withDirectoryLock } from '../../../src/cluster/lock.js';
import { loadDefaultConfig } from '../../../src/config/load.js';
import type { KubeClient } from '../../../src/runtime/index.js';
import { createSecret } from '../cluster/secrets.js';
import { type GitHttpsServer, gitHttpsServer } from '../remote/git-remotes.js';
import { type PullRequestRecord, pullRoutes } from '../remote/github-api/pulls.js';
import type { GithubRoute } from '../remote/github-api/route.js';
import { type GithubApi, startGithubApi } from '../remote/github-api/server.js';
import type { Scope } from '../util/scope.js';
import { git } from './entry-script.js';

/**
 * The host as pods on the real node see it: the gateway of their bridge (cluster/control-plane
 * realnode_config.go, bridgeIP). Servers the agent must reach listen there.
 */
export const NODE_GATEWAY = '10.246.0.1';

export interface SuiteTls {
  caPem: string;
  /** Serving certificate for {@link NODE_GATEWAY} and 127.0.0.1. */
  certPem: string;
  keyPem: string;
}

/**
 * The suite's CA and serving certificate, made once per cache directory: the image that trusts the
 * CA is then built once, not at every run.
 */
export async function suiteTls(cacheDir = cacheRoot()): Promise<SuiteTls> {
  const dir = join(cacheDir, 'agent-e2e');
  const file = join(dir, 'tls.json');
  mkdirSync(dir, { recursive: true });
  return withDirectoryLock(`${file}.lock`, 60_000, async () => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as SuiteTls;
    } catch {
      const ca = await createAuthority('orchestrator-agent-e2e-ca');
      const serving = await ca.issueServing({
        commonName: NODE_GATEWAY,
        ipAddresses: [NODE_GATEWAY, '127.0.0.1'],
        days: 3650,
      });
      const tls = { caPem: ca.certPem, ...serving };
      writeFileSync(file, JSON.stringify(tls), { mode: 0o600 });
      return tls;
    }
  });
}

// How a user trusts a private CA in the agent image (docs/install.md): the Debian way, which git, gh
// and (through NODE_EXTRA_CA_CERTS, set in the image) the CLI and the MCP servers all read.
const TRUSTING_DOCKERFILE = `ARG BASE_IMAGE
FROM \${BASE_IMAGE}
USER 0
COPY suite-ca.crt /usr/local/share/ca-certificates/orchestrator-agent-e2e-ca.crt
RUN update-ca-certificates
USER 1000:1000
`;

/** The agent image of images/agent, and that image trusting the suite's CA (what pods run). */
export async function suiteImages(
  progress: (step: string) => void,
): Promise<{ agent: LocalImage; trusting: LocalImage; tls: SuiteTls }> {
  const tls = await suiteTls();
  const agent = await buildLocalImage({ progress });
  const context = join(cacheRoot(), 'agent-e2e', 'trusting');
  mkdirSync(context, { recursive: true });
  writeFileSync(join(context, 'Dockerfile'), TRUSTING_DOCKERFILE);
  writeFileSync(join(context, 'suite-ca.crt'), tls.caPem);
  const trusting = await buildLocalImage({
    contextDir: context,
    repository: 'agent-e2e',
    buildArgs: { BASE_IMAGE: agent.name },
    // update-ca-certificates writes the bundle the host's would be mounted over.
    hostCaBundle: false,
    progress,
  });
  return { agent, trusting, tls };
}

export interface GitHost {
  server: GitHttpsServer;
  /** The pull requests opened through the REST API on the same host (/api/v3, as GitHub Enterprise). */
  pulls: PullRequestRecord[];
  api: GithubApi;
  /** A bare repository `owner/name.git` whose `branch` holds `files`; its https URL. */
  repository(path: string, branch: string, files: Record<string, string>): string;
  /** A branch `branch` of the repository `path`: the tip of the one it was made with, and `files` on top. */
  branch(path: string, branch: string, files: Record<string, string>): void;
  /** The commit and file content of `branch` in the repository, or undefined without the branch. */
  read(path: string, branch: string, file: string): { commit: string; content: string } | undefined;
  /** The repository's branches. */
  branches(path: string): string[];
}

/** `files` written into the work tree `seed` and committed. */
function commitFiles(seed: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(seed, file, '..'), { recursive: true });
    writeFileSync(join(seed, file), content);
  }
  git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.'], seed);
  git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'seed'], seed);
}

/** The REST API a git host serves beside its repositories, over its pull requests and branches. */
export type GitHostApi = (
  pulls: PullRequestRecord[],
  branches: (owner: string, repo: string) => string[],
) => GithubRoute[];

/**
 * git over HTTPS on the node's gateway, for `user` with `token` only (and the tokens issued to it
 * later); `routes`: its REST API, by default the pull requests' alone.
 */
export async function gitHost(
  t: Scope,
  dir: string,
  tls: SuiteTls,
  credentials: { user: string; token: string },
  routes: GitHostApi = pullRoutes,
): Promise<GitHost> {
  const root = join(dir, 'git');
  mkdirSync(root, { recursive: true });
  const pulls: PullRequestRecord[] = [];
  const branches = (owner: string, repo: string) =>
    git(['for-each-ref', '--format=%(refname:short)', 'refs/heads'], join(root, `${owner}/${repo}.git`))
      .split('\n')
      .filter(Boolean);
  const api = await startGithubApi(t, routes(pulls, branches));
  t.teardown(() => api.close());
  const server = await gitHttpsServer(t, root, dir, credentials, {
    host: NODE_GATEWAY,
    tls,
    apiUpstream: api.url,
  });
  return {
    server,
    pulls,
    api,
    repository(path, branch, files) {
      const seed = join(dir, 'seed', path);
      mkdirSync(seed, { recursive: true });
      git(['init', '-q', '-b', branch, seed]);
      commitFiles(seed, files);
      git(['clone', '-q', '--bare', seed, join(root, path)]);
      // git http-backend lets pushes in only where http.receivepack is on (or a user is authenticated).
      git(['config', 'http.receivepack', 'true'], join(root, path));
      return `${server.base}/${path}`;
    },
    branch(path, branch, files) {
      const seed = join(dir, 'seed', path);
      git(['checkout', '-q', '-b', branch], seed);
      commitFiles(seed, files);
      git(['push', '-q', join(root, path), branch], seed);
    },
    read(path, branch, file) {
      const bare = join(root, path);
      try {
        const commit = git(['rev-parse', `refs/heads/${branch}`], bare).trim();
        return { commit, content: git(['show', `${commit}:${file}`], bare) };
      } catch {
        return undefined;
      }
    },
    branches: (path) =>
      git(['for-each-ref', '--format=%(refname:short)', 'refs/heads'], join(root, path))
        .split('\n')
        .filter(Boolean),
  };
}

/**
 * The shipped config with every agent on `image` (never pulled: the node has it), the model API at
 * `modelUrl` (job.env, what an agent calls with the gateway off; with it on, the gateway's upstream)
 * and github.host `githubHost` (the git host's `host:port`: the one host the entry script gives the
 * run's credential to).
 * Egress by allowlist is off here, unlike the shipped config: the git host is a stand-in on the node's
 * address, which no proxy of these worlds could name. The real proxy is proven on the real node in
 * real-node.test.ts (an allowed host, an unlisted one, a bypass dropped) and in local mode (run-local).
 */
export function suiteConfig(image: string, modelUrl: string, githubHost: string): ControllerConfig {
  const config = loadDefaultConfig();
  config.egress.enabled = false;
  config.github.host = githubHost;
  for (const profile of Object.values(config.agents)) {
    profile.image = image;
    profile.imagePullPolicy = 'Never';
  }
  config.job.env = { ...config.job.env, ANTHROPIC_BASE_URL: modelUrl };
  return config;
}

/** The Secrets the shipped config names: the API key (none with the gateway on), and the GitHub user's token. */
export async function suiteSecrets(
  client: KubeClient,
  namespace: string,
  config: ControllerConfig,
  user: { name: string; token: string },
  apiKey: string,
): Promise<void> {
  const secret = (name: string, key: string, value: string) =>
    createSecret(client, namespace, name, { [key]: value });
  // With the model gateway on, the key is the platform's, in the operator's namespace only.
  const key = config.secrets.apiKey;
  if (!key) throw new Error('the config names no API key Secret (secrets.apiKey)');
  if (!config.gateway.enabled) await secret(key.name, key.key, apiKey);
  const token = config.secrets.githubToken;
  await secret(token.name.replace('{githubUser}', user.name), token.key, user.token);
}

/** The run as admission would store it (defaults of the schema and the config). */
export const admitted = <K extends RunKindName>(kind: K, run: RunOf<K>, config: ControllerConfig) =>
  defaulted(kind, run, config);

/** Task Master's documents of task `id` in a docs repository (taskDocs.directory). */
export const taskDocs = (dir: string, id: number, task: string) => ({
  [`${dir}/.taskmaster/docs/task-${id}/task.md`]: task,
  [`${dir}/.taskmaster/docs/task-${id}/acceptance-criteria.md`]: '- [ ] done\n',
});

/** A CodeRun of task 7 of service payments, as `githubUser`, on `repo` with its docs in `docs`. */
export const e2eCodeRun = (
  githubUser: string,
  name: string,
  repo: string,
  docs: string,
  spec: Record<string, unknown> = {},
): RunOf<'CodeRun'> =>
  ({
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: { name },
    spec: {
      taskId: 7,
      service: 'payments',
      githubUser,
      repositoryUrl: repo,
      docsRepositoryUrl: docs,
      docsProjectDirectory: 'projects/payments',
      ...spec,
    },
  }) as RunOf<'CodeRun'>;

// What an agent that ignores its cap runs: 30 calls of the Messages API with a token of its attempt,
// asked for as its CLI does (the settings' apiKeyHelper), straight at the gateway its CLI was given;
// each call's status and error type written to gateway-loop.txt.
export const SPEND_LOOP = `node -e '
const out = [];
const settings = require(process.env.ORCHESTRATOR_RUN_DIR + "/config/settings.json");
const token = require("child_process").execSync(settings.apiKeyHelper).toString();
(async () => {
  for (let i = 0; i < 30; i++) {
    const r = await fetch(process.env.ANTHROPIC_BASE_URL + "/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01",
        authorization: "Bearer " + token },
      body: JSON.stringify({ model: "claude-sonnet-4-20250514", max_tokens: 1024,
        messages: [{ role: "user", content: "spend" }] }),
    });
    const body = await r.json();
    out.push(r.status + " " + (body.error ? body.error.type : "ok"));
  }
  require("fs").writeFileSync("gateway-loop.txt", out.join("\\n") + "\\n");
})();'`;

/** The first file named `name` under `dir`. */
export const findFile = (dir: string, name: string): string | undefined =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .find((f) => f.endsWith(`/${name}`));

/** A run whose first attempt its turn limit of `turns` stopped: Failed, TurnLimitReached, its usage kept. */
export function expectTurnLimitStop(
  t: Test,
  status: Pick<RunStatus, 'phase' | 'conditions' | 'message' | 'attemptUsage'>,
  turns: number,
): void {
  t.equal(status.phase, 'Failed', status.message ?? '');
  t.match(
    status.conditions?.find((c) => c.type === 'Succeeded'),
    { status: 'False', reason: 'TurnLimitReached' },
  );
  t.match(status.message, `attempt 1 stopped: the agent reached its turn limit (${turns} turns)`);
  t.match(
    status.attemptUsage,
    [{ attempt: 1, stopReason: 'TurnLimitReached' }],
    'its partial usage, with why it stopped',
  );
}
