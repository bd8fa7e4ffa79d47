// The entry script of a run acting as a GitHub user or App, run for real against remotes that demand
// the credentials: over SSH (an `ssh` stand-in serving local bare repositories only for the
// expected key: test/harness/remote/git-remotes.ts) and over https (a TLS git server wanting the user's
// token in HTTP Basic auth, which git gets only from the credential helper the script installs).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { createAuthority } from '../../src/certs/authority.js';
import { configFrom } from '../../src/config/load.js';
import { TokenBroker } from '../../src/github/app-tokens/index.js';
import { loadTemplateSet, renderCodeRun, renderTaskRun } from '../../src/render/index.js';
import { sampleCodeRun, sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture, git } from '../../test/harness/agent/entry-script.js';
import { phaseTokenBroker } from '../../test/harness/agent/phase-token-broker.js';
import { gitHttpsServer, sshStub } from '../../test/harness/remote/git-remotes.js';
import { githubAppFixture } from '../../test/harness/remote/github-api/apps.js';
import { startGithubApi } from '../../test/harness/remote/github-api/server.js';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import { waitFor } from '../../test/harness/util/wait.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = seedConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };
const BRANCH = 'feature/task-7-implementation';
/** The config whose github.host is the test's git server: the one host the credential goes to. */
const onHost = (base: string) =>
  configFrom({ ...config, github: { ...config.github, host: base.slice('https://'.length) } });
/** The private git config the agent container's entry script wrote (prepare_dirs: off the volume). */
const privateGitConfig = (root: string) =>
  readdirSync(root)
    .filter((d) => d.startsWith('orchestrator-run-'))
    .map((d) => path.join(root, d, 'gitconfig'))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');

t.test('a GitHub user over SSH: git gets the key from GIT_SSH_COMMAND, host keys pinned', async (t) => {
  const f = fixture(t);
  sshStub(f.bin);
  const remotes = path.join(f.root, 'ssh-root');
  const origin = f.origin(path.join(remotes, 'acme', 'payments.git'), 'main', { 'README.md': 'r\n' });
  // The Secret volume: the key (mode 0400, as the Job mounts it) and, later, a known_hosts.
  const secretDir = path.join(f.root, 'github-ssh');
  mkdirSync(secretDir);
  const key = path.join(secretDir, 'ssh-privatekey');
  writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n');
  chmodSync(key, 0o400);
  const env = { GITHUB_SSH_KEY_FILE: key, STUB_SSH_KEY: key, STUB_SSH_ROOT: remotes };
  const sshLog = () => readFileSync(path.join(f.root, 'out', 'ssh.log'), 'utf8');
  // A well-formed host key line (GitHub's published ed25519 key) for the test's host.
  const keyOf = (host: string) =>
    `${host} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`;

  const run = sampleTaskRun(rex);
  run.spec.repository = { url: 'git@github.example:acme/payments.git', githubUser: 'swe-1-5dlabs' };
  // The default github.sshKnownHosts has github.com's keys only: nothing is accepted on first use.
  const unknown = f.run(renderTaskRun(set, run, config, 1, f.options), env);
  t.equal(unknown.status, 1, unknown.log);
  t.match(
    unknown.log,
    /no SSH host key for github\.example in the controller config's github\.sshKnownHosts: add the host's key there/,
  );
  t.notOk(existsSync(path.join(f.root, 'out', 'ssh.log')), 'ssh never ran');

  // The config's keys, written off the volume, pin the host.
  const pinnedByConfig = configFrom({
    ...config,
    github: { ...config.github, sshKnownHosts: `${config.github.sshKnownHosts}${keyOf('github.example')}` },
  });
  const rendered = renderTaskRun(set, run, pinnedByConfig, 2, f.options);
  const r = f.run(rendered, env);
  t.equal(r.status, 0, r.log);
  t.match(sshLog(), `host=git@github.example key=${key} `, 'git went through ssh with the mounted key');
  t.match(sshLog(), 'IdentitiesOnly=yes BatchMode=yes StrictHostKeyChecking=yes');
  t.match(
    sshLog(),
    new RegExp(`UserKnownHostsFile=${f.root}/orchestrator-run-[^/ ]+/known_hosts`),
    'in the private directory, not on the workspace volume a later run shares',
  );
  t.match(git(['log', '--format=%an %s', BRANCH], origin), /^swe-1-5dlabs chore: save the agent's work/);
  t.match(
    r.log,
    /git over SSH as GitHub user swe-1-5dlabs with the key .* \(host keys pinned by the controller config's github\.sshKnownHosts\)/,
  );

  // A known_hosts key in the Secret replaces the config's: a host only the config knows is refused.
  writeFileSync(path.join(secretDir, 'known_hosts'), keyOf('other.example'));
  const secretLacks = f.run(renderTaskRun(set, run, pinnedByConfig, 3, f.options), env);
  t.equal(secretLacks.status, 1, secretLacks.log);
  t.match(secretLacks.log, /no SSH host key for github\.example in the SSH Secret's known_hosts/);
  writeFileSync(path.join(secretDir, 'known_hosts'), keyOf('github.example'));
  const pinned = f.run(renderTaskRun(set, run, config, 4, f.options), env);
  t.equal(pinned.status, 0, pinned.log);
  t.match(sshLog(), `StrictHostKeyChecking=yes UserKnownHostsFile=${secretDir}/known_hosts`);

  // An ssh:// URL on another port is looked up as known_hosts writes it: [host]:port.
  run.spec.repository = {
    url: 'ssh://git@github.example:2222/acme/payments.git',
    githubUser: 'swe-1-5dlabs',
  };
  const port = f.run(renderTaskRun(set, run, config, 5, f.options), env);
  t.equal(port.status, 1, port.log);
  t.match(port.log, /no SSH host key for \[github\.example\]:2222 in the SSH Secret's known_hosts/);

  // Without a readable key the script says where it looked, before git tries.
  const missing = f.run(rendered, { ...env, GITHUB_SSH_KEY_FILE: path.join(secretDir, 'nope') });
  t.equal(missing.status, 1);
  t.match(missing.log, /GitHub user swe-1-5dlabs: no readable SSH key at \S+nope/);
  t.notOk(existsSync(path.join(f.root, 'out', 'ssh.log')), 'ssh never ran');
});

t.test('a GitHub user over https: the credential helper hands git the token, nowhere else', async (t) => {
  const f = fixture(t);
  const token = 'ghp_knownSecretValue0123456789';
  const remotes = path.join(f.root, 'https-root');
  const origin = f.origin(path.join(remotes, 'acme', 'payments.git'), 'main', { 'README.md': 'r\n' });
  const server = await gitHttpsServer(t, remotes, f.root, { user: 'swe-1-5dlabs', token });

  const run = sampleTaskRun(rex);
  const url = `${server.base}/acme/payments.git`;
  run.spec.repository = { url, githubUser: 'swe-1-5dlabs' };
  const rendered = renderTaskRun(set, run, onHost(server.base), 1, f.options);
  const { paths } = rendered.context;
  const r = f.run(rendered, { GITHUB_TOKEN: token, GIT_SSL_CAINFO: server.caFile, STUB_AGENT_PUSH: '1' });
  t.equal(r.status, 0, r.log);
  // The agent's container holds no credential: not in its environment, not in a file it can read, no
  // helper in the git config it sees; its own push is refused by the server.
  t.notMatch(r.agentEnv, token, "no token in the agent's environment or its token file");
  t.notMatch(r.agentEnv, /^(GITHUB_TOKEN|GH_TOKEN|GITHUB_APP_TOKEN_\w+|GITHUB_SSH_KEY_FILE)=/m);
  t.notMatch(
    r.agentEnv,
    /^\w*TOKEN\w*=/m,
    'no variable named for a token, not even the path of a removed one',
  );
  t.notMatch(r.agentGitConfig, /credential/, 'no credential helper in the git config the agent sees');
  t.match(r.agentPush, /could not read Username|Authentication failed|403|401/, r.agentPush);
  t.notMatch(r.agentPush, /^pushed$/m, "the agent's own push is refused");
  t.throws(() => git(['rev-parse', '--verify', 'refs/heads/agent-owned'], origin), 'no ref of its own');

  // The server's lines arrive once this process reads its output again (the script ran synchronously).
  await waitFor('the server to log the push', () =>
    server.requests().some((q) => q.auth === 'ok' && q.service === 'git-receive-pack'),
  );
  const requests = server.requests();
  t.same(requests[0]?.auth, 'none', 'git first asks without credentials');
  t.ok(
    requests.some((q) => q.auth === 'ok' && q.user === 'swe-1-5dlabs' && q.service === 'git-upload-pack'),
    'then clones with the user and token from the helper',
  );
  t.notOk(
    requests.some((q) => q.auth === 'bad'),
    'never a wrong credential',
  );
  t.match(git(['log', '--format=%an %s', BRANCH], origin), /^swe-1-5dlabs chore: save the agent's work/);
  t.match(r.log, /git over https to 127\.0\.0\.1:\d+ as GitHub user swe-1-5dlabs with their token/);

  // The token is in no log line, no URL and no git config the workspace keeps.
  t.notMatch(r.log, token, 'not in the log');
  t.equal(git(['remote', 'get-url', 'origin'], paths.repo ?? '').trim(), url, 'not in the remote URL');
  t.notOk(existsSync(`${paths.base}/.agents/rex/gitconfig`), 'no git config on the workspace volume');
  const gitconfig = privateGitConfig(f.root);
  t.notMatch(gitconfig, token, 'not in the git config');
  t.match(gitconfig, `[credential "https://${server.base.slice('https://'.length)}"]`);
  t.notMatch(readFileSync(`${paths.repo}/.git/config`, 'utf8'), token);

  // Without the token the script stops before git asks anyone.
  const missing = f.run(rendered, { GIT_SSL_CAINFO: server.caFile });
  t.equal(missing.status, 1);
  t.match(missing.log, /GitHub user swe-1-5dlabs: no token for https:\S+ \(GITHUB_TOKEN is empty/);
  t.notMatch(missing.log, /resuming|starting the branch/, 'no clone attempted');
});

t.test(
  'a GitHub App: each phase asks the operator for its own token; git uses it from a private file',
  async (t) => {
    const f = fixture(t);
    // Real installation tokens from the GitHub stand-in, as the operator mints them per phase.
    const app = githubAppFixture();
    app.installations.set('acme', { id: 3, repositories: ['payments'] });
    const api = await startGithubApi(t, app.routes);
    const github = new TokenBroker({
      keys: { of: async () => ({ appId: String(app.appId), privateKey: app.privateKey }) },
      apiUrl: () => api.url,
    });
    const mint = (permissions: Record<string, string>) =>
      github.mint({ app: '5DLabs-Rex', owner: 'acme', repositories: ['payments'], permissions });
    const read = await mint({ contents: 'read', metadata: 'read' });
    const write = await mint({ contents: 'write' });
    const remotes = path.join(f.root, 'https-root');
    const origin = f.origin(path.join(remotes, 'acme', 'payments.git'), 'main', { 'README.md': 'r\n' });
    const server = await gitHttpsServer(t, remotes, f.root, { user: 'x-access-token', token: 'none-such' });
    server.issue(read.token, 'read');
    server.issue(write.token, 'write');
    const broker = await phaseTokenBroker(t, f.root, { read: read.token, write: write.token });

    const run = sampleTaskRun(rex);
    run.spec.repository = { url: `${server.base}/acme/payments.git` };
    const rendered = renderTaskRun(set, run, onHost(server.base), 1, f.options);
    const env = { ...broker.env, GIT_SSL_CAINFO: server.caFile };
    const r = f.run(rendered, env);
    t.equal(r.status, 0, r.log);
    // The broker's lines arrive once this process reads its output again (the script ran synchronously).
    await waitFor('the broker to log both phases', () => broker.asked().length >= 2);
    t.same(
      broker.asked(),
      [
        { phase: 'read', status: 200 },
        { phase: 'write', status: 200 },
      ],
      'prepare asked for the read token, the publisher for the write token, once each; the agent never',
    );
    await waitFor('the server to log the push', () =>
      server.requests().some((q) => q.auth === 'ok' && q.service === 'git-receive-pack'),
    );
    const used = (service: string) =>
      new Set(
        server
          .requests()
          .filter((q) => q.auth === 'ok' && q.service === service)
          .map((q) => q.label),
      );
    t.same(
      [...used('git-upload-pack')].sort(),
      ['read', 'write'],
      'cloned with the read token, fetched by the publisher with its own',
    );
    t.same([...used('git-receive-pack')], ['write'], 'pushed with the write token only');
    t.notOk(
      server.requests().some((q) => q.auth === 'bad'),
      'never a wrong credential',
    );
    t.match(git(['log', '--format=%s', BRANCH], origin), /^chore: save the agent's work/, 'pushed');
    t.match(
      r.log,
      /git over https to 127\.0\.0\.1:\d+ as the GitHub App with the installation token the operator minted for this phase/,
    );
    for (const token of [read.token, write.token, 'projected-sa-token-of-the-pod']) {
      t.notMatch(r.log, token, 'no token and no credential in a log line');
      t.notMatch(r.result, token, 'nor in the result');
    }
    t.notMatch(r.agentEnv, /GITHUB_APP_TOKEN/, "the agent's container has no way to ask");
    t.notMatch(r.log, /PRIVATE KEY/, 'nor is any key');
    const gitconfig = privateGitConfig(f.root);
    t.notMatch(gitconfig, read.token, 'nor in the git config: the helper reads the file at each use');

    // Refused, the phase stops before git asks anyone, with the operator's reason.
    broker.set('read', undefined);
    const refused = f.run(rendered, env);
    t.equal(refused.status, 1);
    t.match(
      refused.log,
      /GitHub App: the operator gave this phase no token \(\S+ answered 403, 0 retries\): no read token for this pod now/,
    );
    t.notMatch(refused.log, /resuming|starting the branch/, 'no clone attempted');
    // Without its credential file, it does not ask.
    await waitFor('the broker to log the refusal', () => broker.asked().length >= 3);
    const asked = broker.asked().length;
    const missing = f.run(rendered, { ...env, GITHUB_APP_TOKEN_CREDENTIAL_FILE: path.join(f.root, 'nope') });
    t.equal(missing.status, 1);
    t.match(missing.log, /GitHub App: no readable credential at \S+nope/);
    t.equal(broker.asked().length, asked);
  },
);

t.test('an App token goes only to the repositories it was minted for, even on github.host', async (t) => {
  const f = fixture(t);
  const token = 'ghs_ScopedToAcmePayments0000000001';
  const remotes = path.join(f.root, 'https-root');
  f.origin(path.join(remotes, 'acme', 'payments.git'), 'main', { 'README.md': 'r\n' });
  f.origin(path.join(remotes, 'acme', 'other.git'), 'main', { 'README.md': 'o\n' });
  f.origin(path.join(remotes, 'evil', 'docs.git'), 'main', { 'README.md': 'd\n' });
  // The server would accept the token anywhere: `auth: ok` on another repository means it was sent.
  const server = await gitHttpsServer(t, remotes, f.root, { user: 'x-access-token', token });
  const broker = await phaseTokenBroker(t, f.root, { read: token, write: token });
  // An agent that reaches for another repository of the same owner on the same host, with the git
  // configuration the entry script left it (what a prompt-injected agent would try first).
  writeFileSync(
    path.join(f.bin, 'claude'),
    `#!/usr/bin/env bash\ncat >/dev/null\nGIT_TERMINAL_PROMPT=0 git ls-remote "${server.base}/acme/other.git" >"$STUB_OUT/other" 2>&1 || echo refused >>"$STUB_OUT/other"\necho work >>agent-output.txt\nprintf '{"type":"system","subtype":"init","session_id":"s-1"}\\n'\n`,
  );
  const run = sampleTaskRun(rex);
  run.spec.repository = { url: `${server.base}/acme/payments.git` };
  const env = { ...broker.env, GIT_SSL_CAINFO: server.caFile };
  const r = f.run(renderTaskRun(set, run, onHost(server.base), 1, f.options), env);
  t.equal(r.status, 0, r.log);
  t.match(r.log, /for acme\/payments only/, 'the log names the scope');
  t.match(
    readFileSync(path.join(f.root, 'out', 'other'), 'utf8'),
    /refused/,
    "the agent's git got no credential",
  );
  await waitFor('the server to log the push', () =>
    server.requests().some((q) => q.auth === 'ok' && q.service === 'git-receive-pack'),
  );
  const at = (repo: string) => server.requests().filter((q) => String(q.path).startsWith(`/${repo}.git/`));
  t.ok(
    at('acme/payments').some((q) => q.auth === 'ok'),
    "the run's repository got the token",
  );
  t.ok(at('acme/other').length > 0, 'the agent did ask for the other repository');
  t.same(
    at('acme/other').filter((q) => q.auth !== 'none'),
    [],
    'which never received a credential',
  );

  // A CodeRun whose docs repository is on github.host but of another owner: no token is minted for
  // it (one installation per token), and the script gives it none.
  const code = sampleCodeRun({ agent: 'rex', preset: 'default', continuing: false }, config);
  code.spec.repositoryUrl = `${server.base}/acme/payments.git`;
  code.spec.docsRepositoryUrl = `${server.base}/evil/docs.git`;
  code.spec.docsProjectDirectory = 'projects/payments';
  code.spec.workingDirectory = undefined;
  const c = f.run(renderCodeRun(set, code, onHost(server.base), 1, f.options), env);
  t.equal(c.status, 128, 'the docs cannot be cloned without a credential, and the run fails');
  t.match(
    c.log,
    /evil\/docs\.git is not one of the repositories the GitHub App's installation token was minted for/,
  );
  t.same(
    at('evil/docs').filter((q) => q.auth !== 'none'),
    [],
    "the other owner's repository never got it",
  );
});

t.test('a docs repository on another host never sees a credential, App token or user token', async (t) => {
  const f = fixture(t);
  const token = 'ghs_ScopedToTheRunsRepository000001';
  const ownRoot = path.join(f.root, 'own');
  const otherRoot = path.join(f.root, 'other');
  f.origin(path.join(ownRoot, 'acme', 'payments.git'), 'main', { 'README.md': 'r\n' });
  f.origin(path.join(otherRoot, 'a', 'docs.git'), 'main', {
    'projects/payments/.taskmaster/docs/task-7/task.md': '# the task\n',
  });
  for (const dir of ['own-logs', 'other-logs']) mkdirSync(path.join(f.root, dir));
  // Two hosts (127.0.0.1 and 127.0.0.2), one CA. Both servers are told to accept the token: `auth: ok`
  // at the other one would mean it received it.
  const ca = await createAuthority('two-hosts-ca');
  const serving = await ca.issueServing({ commonName: '127.0.0.1', ipAddresses: ['127.0.0.1', '127.0.0.2'] });
  const tls = { ...serving, caPem: ca.certPem };
  const credentials = { user: 'x-access-token', token };
  const own = await gitHttpsServer(t, ownRoot, path.join(f.root, 'own-logs'), credentials, { tls });
  const other = await gitHttpsServer(t, otherRoot, path.join(f.root, 'other-logs'), credentials, {
    tls,
    host: '127.0.0.2',
  });
  const broker = await phaseTokenBroker(t, f.root, { read: token, write: token });
  // A CodeRun stored without the webhooks (admission refuses it: rule app-github-host).
  const run = sampleCodeRun({ agent: 'rex', preset: 'default', continuing: false }, config);
  run.spec.repositoryUrl = `${own.base}/acme/payments.git`;
  run.spec.docsRepositoryUrl = `${other.base}/a/docs.git`;
  run.spec.docsProjectDirectory = 'projects/payments';
  run.spec.workingDirectory = undefined;
  const cfg = onHost(own.base);
  const env = { ...broker.env, GIT_SSL_CAINFO: own.caFile };
  const r = f.run(renderCodeRun(set, run, cfg, 1, f.options), env);
  // The other host wants a credential and gets none: the docs cannot be cloned, and the run says so.
  t.equal(r.status, 128, r.log);
  t.match(
    r.log,
    /127\.0\.0\.2:\d+\/a\/docs\.git is not on 127\.0\.0\.1:\d+ \(github\.host\): the GitHub App's installation token is not given/,
  );
  await waitFor('the other host to log the request', () => other.requests().length > 0);
  t.same(
    other.requests().filter((q) => q.auth !== 'none'),
    [],
    'the docs host never received a credential',
  );

  // As a GitHub user: the user's token stays on github.host too.
  const asUser = { ...run, spec: { ...run.spec, githubApp: undefined, githubUser: 'swe-1-5dlabs' } };
  const before = other.requests().length;
  const u = f.run(renderCodeRun(set, asUser, cfg, 2, f.options), {
    GITHUB_TOKEN: token,
    GIT_SSL_CAINFO: own.caFile,
  });
  t.match(
    u.log,
    /GitHub user swe-1-5dlabs's token is not given to 127\.0\.0\.2:\d+; accessing it anonymously/,
  );
  await waitFor('the other host to log the second run', () => other.requests().length > before);
  t.same(
    other.requests().filter((q) => q.auth !== 'none'),
    [],
    "nor the user's token",
  );
});
