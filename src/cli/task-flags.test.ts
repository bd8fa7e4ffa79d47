import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { admitOffline } from '../admission/offline.js';
import { loadDefaultConfig } from '../config/load.js';
import { GitDefaults, gitFacts, withoutCredentials } from './git.js';
import { main } from './main.js';
import {
  codeRunFromFlags,
  docsRunFromFlags,
  parseEnv,
  parseEnvFromSecrets,
  positiveInt,
  SUBMITTED_BY_ANNOTATION,
  splitList,
} from './task-flags.js';

function gitRepo(remote?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-git-'));
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'feature/payments');
  git('config', 'user.name', 'Ada Lovelace');
  if (remote) git('remote', 'add', 'origin', remote);
  return dir;
}

const config = loadDefaultConfig();

t.test('git facts: origin without credentials, the branch (even before a commit), the user', async (t) => {
  const dir = gitRepo('https://ada:ghp_secret@github.com/acme/payments.git');
  t.same(gitFacts(dir), {
    remoteUrl: 'https://github.com/acme/payments.git',
    branch: 'feature/payments',
    userName: 'Ada Lovelace',
  });
  t.equal(gitFacts(mkdtempSync(join(tmpdir(), 'cli-nogit-'))), undefined);
  t.equal(withoutCredentials('https://token@github.com/a/b'), 'https://github.com/a/b');
  t.equal(withoutCredentials('git@github.com:a/b.git'), 'git@github.com:a/b.git');
});

t.test('task code: defaults from git, flags to spec fields, an admissible CodeRun', async (t) => {
  const git = new GitDefaults(gitRepo('git@github.com:acme/payments.git'));
  const run = codeRunFromFlags(
    '7',
    {
      service: 'payments',
      githubApp: '5DLabs-Rex',
      contextVersion: '2',
      env: ['LOG=debug', 'EMPTY='],
      envFromSecret: ['api-keys:OPENAI_API_KEY', 'TOKEN=gh:token'],
      localTools: ['a,b', 'c'],
      enableDocker: true,
    },
    git,
  );
  t.same(run.metadata, {
    generateName: 'payments-task-7-rex-',
    annotations: { [SUBMITTED_BY_ANNOTATION]: 'Ada Lovelace' },
  });
  t.same(run.spec, {
    taskId: 7,
    service: 'payments',
    repositoryUrl: 'git@github.com:acme/payments.git',
    docsRepositoryUrl: 'git@github.com:acme/payments.git',
    docsBranch: 'feature/payments',
    githubApp: '5DLabs-Rex',
    contextVersion: 2,
    env: { LOG: 'debug', EMPTY: '' },
    envFromSecrets: [
      { name: 'OPENAI_API_KEY', secretName: 'api-keys', secretKey: 'OPENAI_API_KEY' },
      { name: 'TOKEN', secretName: 'gh', secretKey: 'token' },
    ],
    localTools: ['a', 'b', 'c'],
    enableDocker: true,
  });
  const admitted = admitOffline('CodeRun', { ...run, metadata: { name: 'x' } } as never, config);
  t.same(
    admitted.findings.filter((f) => f.severity === 'error').map((f) => f.path),
    ['spec.enableDocker'],
    'admissible but for Docker, which the default config does not allow',
  );
  // A docs repository given by flag is not on this checkout's branch.
  const other = codeRunFromFlags(
    '7',
    { service: 'p', githubApp: '5DLabs-Rex', docsRepositoryUrl: 'https://github.com/acme/docs' },
    git,
  );
  t.equal(other.spec.docsBranch, undefined);
  t.equal(other.spec.baseBranch, undefined, "without --base-branch, the repository's default branch");
  const released = codeRunFromFlags(
    '7',
    { service: 'p', githubApp: '5DLabs-Rex', baseBranch: 'release/2.x' },
    git,
  );
  t.equal(
    released.spec.baseBranch,
    'release/2.x',
    '--base-branch: where the work starts and its pull request goes',
  );
});

t.test('task docs: defaults from git', async (t) => {
  const git = new GitDefaults(gitRepo('https://github.com/acme/payments.git'));
  const run = docsRunFromFlags(
    { workingDirectory: 'docs/payments', githubApp: '5DLabs-Morgan', name: 'd1' },
    git,
  );
  t.same(run.spec, {
    repositoryUrl: 'https://github.com/acme/payments.git',
    workingDirectory: 'docs/payments',
    sourceBranch: 'feature/payments',
    githubApp: '5DLabs-Morgan',
  });
  t.equal(run.metadata?.name, 'd1');
});

t.test('clear errors for missing or malformed values', async (t) => {
  const noGit = new GitDefaults(mkdtempSync(join(tmpdir(), 'cli-nogit-')));
  t.throws(
    () => codeRunFromFlags('7', { service: 'p', githubApp: 'A' }, noGit),
    /--repository-url is required: .* is not in a git repository to default it from/,
  );
  const noRemote = new GitDefaults(gitRepo());
  t.throws(
    () => docsRunFromFlags({ workingDirectory: 'd', githubApp: 'A' }, noRemote),
    /--repository-url is required: git remote get-url origin gives nothing in/,
  );
  t.throws(() => positiveInt('0', 'taskId'), /taskId: must be an integer >= 1, got "0"/);
  t.throws(() => positiveInt('7x', 'taskId'), /got "7x"/);
  t.throws(() => parseEnv(['NOEQUALS']), /--env "NOEQUALS": each entry must be NAME=value/);
  t.throws(
    () => parseEnvFromSecrets(['secret-only']),
    /--env-from-secret "secret-only": each entry must be \[VAR=\]secret:key/,
  );
  t.throws(() => parseEnvFromSecrets(['s:bad-key']), /must be \[VAR=\]secret:key/);
  t.same(splitList([' x , y', '']), ['x', 'y']);
  const bad = codeRunFromFlags.bind(undefined, '1', {
    service: 'p',
    githubApp: 'A',
    repositoryUrl: 'https://github.com/a/b',
    toolConfig: 'maximal',
  });
  t.throws(() => bad(noGit), /--tool-config: must be one of minimal, default, advanced, got "maximal"/);
});

t.test(
  '--env and --env-from-secret: repeatable and comma-separated, a backslash-comma inside a value',
  async (t) => {
    t.same(parseEnv(['A=1,B=2', 'C=x=y', 'LIST=a\\,b,D=', 'E=3,']), {
      A: '1',
      B: '2',
      C: 'x=y',
      LIST: 'a,b',
      D: '',
      E: '3',
    });
    t.same(parseEnvFromSecrets(['T=s:k,s2:KEY', 'U=s3:k.3']), [
      { name: 'T', secretName: 's', secretKey: 'k' },
      { name: 'KEY', secretName: 's2', secretKey: 'KEY' },
      { name: 'U', secretName: 's3', secretKey: 'k.3' },
    ]);
    t.throws(
      () => parseEnv(['A=1,2']),
      /--env "2": each entry must be NAME=value .*write \\, for a comma in a value/,
      'a bare comma in a value names the entry it made',
    );
    t.throws(() => parseEnv(['1A=x']), /--env "1A=x": each entry must be NAME=value with NAME matching/);
    t.throws(() => parseEnv(['A=1', 'B=2,A=3']), /--env "A=3": A is given twice/);
    t.throws(() => parseEnvFromSecrets(['T=s:k,T=s:j']), /--env-from-secret "T=s:j": T is given twice/);
    t.throws(() => parseEnvFromSecrets(['s:k,=s:j']), /--env-from-secret "=s:j": each entry must be/);
  },
);

t.test(
  '--dry-run prints the object without a cluster; commander reports a missing required flag',
  async (t) => {
    const io = memoryIO();
    const line = ['node', 'orchestrator', 'task', 'code', '7', '--service', 'payments'];
    const code = await main(
      [...line, '--repository-url', 'https://github.com/acme/p', '--github-app', 'Acme-Rex', '--dry-run'],
      io,
    );
    t.equal(code, 0, io.stderr());
    t.match(io.stdout(), stringify({ apiVersion: 'orchestrator.io/v1', kind: 'CodeRun' }));
    t.match(io.stdout(), /generateName: payments-task-7-rex-\n/);
    // Without --github-app the default is the cluster's: no cluster, no default, and the error says so;
    // a dry run prints the run without it, with the same words as a note.
    const noApp = memoryIO();
    const nowhere = join(mkdtempSync(join(tmpdir(), 'cli-nokube-')), 'kubeconfig');
    t.equal(await main([...line, '--repository-url', 'a/b', '--kubeconfig', nowhere], noApp), 1);
    const why =
      "--github-app not given, and the cluster's config could not be read for its default \\(cannot load the kubeconfig: .*\\); give --github-app \\(or --github-user\\)\\n$";
    t.match(noApp.stderr(), new RegExp(`^error: ${why}`));
    const printed = memoryIO();
    t.equal(
      await main([...line, '--repository-url', 'a/b', '--dry-run', '--kubeconfig', nowhere], printed),
      0,
    );
    t.match(printed.stderr(), new RegExp(`^note: spec.githubApp left out of the CodeRun: ${why}`));
    t.notMatch(printed.stdout(), /githubApp/);
    const missing = memoryIO();
    t.equal(await main(['node', 'orchestrator', 'task', 'code', '1', '--dry-run'], missing), 1);
    t.match(missing.stderr(), /required option '-s, --service <name>' not specified/);
    // A run admission would refuse is not printed as if it would start: the refusal is, naming the field.
    const refused = memoryIO();
    const escaping = ['--repository-url', 'a/b', '--github-app', 'Acme-Rex', '--working-directory', '../up'];
    t.equal(await main([...line, ...escaping, '--dry-run'], refused), 1);
    t.equal(refused.stdout(), '', 'nothing printed as the run');
    t.equal(
      refused.stderr(),
      'error: admission would refuse it (checked offline; --dry-run=server asks the cluster):\n' +
        '  CodeRun/payments-task-7-rex-… (flags): spec.workingDirectory: Invalid value: "../up": must not contain ".." (it would leave the repository)\n',
    );
  },
);
