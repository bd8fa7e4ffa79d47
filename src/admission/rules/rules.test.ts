import t from 'tap';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import { type ControllerConfig, RESERVED_ENV_NAMES } from '../../api/index.js';
import { configFrom } from '../../config/load.js';
import { validateRun } from '../validate-run.js';
import { MARKDOWN_BUDGET_BYTES, relativePathProblem, repositoryUrlProblem } from './index.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = seedConfig();

const taskRun = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name: 'x' },
  spec: { taskId: 4, serviceName: 'api', markdownFiles: [{ filename: 'task.md', content: '#' }], ...spec },
});

const findings = (object: unknown, oldObject?: unknown) =>
  validateRun({ kind: 'TaskRun', object, oldObject, operation: oldObject ? 'UPDATE' : 'CREATE', config }).map(
    (f) => `${f.severity} ${f.rule} ${f.path}: ${f.message}`,
  );

t.test('a valid TaskRun has no finding', async (t) => {
  t.same(findings(taskRun()), []);
});

t.test('duplicate filenames name both places', async (t) => {
  const [f] = findings(
    taskRun({
      markdownFiles: [
        { filename: 'a.md', content: '' },
        { filename: 'b.md', content: '' },
        { filename: 'a.md', content: '' },
      ],
    }),
  );
  t.match(
    f,
    /^error unique-filenames spec\.markdownFiles\[2\]\.filename: Duplicate value: "a\.md" \(also spec\.markdownFiles\[0\]\)/,
  );
});

t.test('the size budget message gives the sizes and the largest files', async (t) => {
  const big = 'x'.repeat(MARKDOWN_BUDGET_BYTES / 2);
  const all = findings(
    taskRun({
      markdownFiles: [
        { filename: 'a.md', content: big },
        { filename: 'b.md', content: big },
      ],
    }),
  );
  t.equal(all.length, 1);
  t.match(
    all[0],
    /size-budget spec\.markdownFiles: Too long: the task files total 848\.0 KiB \(868360 bytes\), over the budget of 848\.0 KiB/,
  );
  t.match(all[0], /largest: spec\.markdownFiles\[0\] 424\.0 KiB/);
  t.same(
    findings(
      taskRun({ markdownFiles: [{ filename: 'a.md', content: 'x'.repeat(MARKDOWN_BUDGET_BYTES - 4) }] }),
    ),
    [],
    'at the budget is fine',
  );
});

t.test('identity fields are immutable and retryAttempt never decreases', async (t) => {
  const old = taskRun({ retryAttempt: 3 });
  t.match(findings(taskRun({ retryAttempt: 2, taskId: 5 }), old), [
    /^error immutable spec\.taskId: Invalid value: 5: field is immutable \(was 4\)/,
    /^error never-decrease spec\.retryAttempt: Invalid value: 2: may not decrease \(was 3\)/,
  ]);
  t.same(findings(taskRun({ retryAttempt: 4 }), old), [], 'raising is fine');
  t.match(findings(taskRun({ serviceName: 'web', retryAttempt: 3 }), old), [
    /fixed-after-create spec\.serviceName: Forbidden: field is immutable after creation \(was "api", now "web"\)/,
  ]);
});

t.test('a cancel is for good: not unset, and the run not retried', async (t) => {
  const cancelled = taskRun({ retryAttempt: 1, cancelled: true });
  t.same(
    findings(taskRun({ retryAttempt: 1, cancelled: true }), taskRun({ retryAttempt: 1 })),
    [],
    'cancelling',
  );
  t.same(
    findings(taskRun({ retryAttempt: 1, cancelled: true, priority: 'high' }), cancelled),
    [],
    'other edits',
  );
  t.match(findings(taskRun({ retryAttempt: 1 }), cancelled), [
    /^error cancel-is-final spec\.cancelled: Invalid value: .*cannot be un-cancelled; create a new run/,
  ]);
  t.match(findings(taskRun({ retryAttempt: 1, cancelled: false }), cancelled), [
    /cancel-is-final spec\.cancelled/,
  ]);
  t.match(findings(taskRun({ retryAttempt: 2, cancelled: true }), cancelled), [
    /^error cancel-is-final spec\.retryAttempt: Invalid value: 2: a cancelled run is not retried \(was 1\)/,
  ]);
  const docs = { apiVersion: 'orchestrator.io/v1', kind: 'DocsRun', metadata: { name: 'd' } };
  const docsRun = (spec: object) => ({
    ...docs,
    spec: {
      repositoryUrl: 'https://github.com/o/r',
      workingDirectory: 'docs',
      githubApp: '5DLabs-Morgan',
      ...spec,
    },
  });
  const rules = validateRun({
    kind: 'DocsRun',
    object: docsRun({}),
    oldObject: docsRun({ cancelled: true }),
    operation: 'UPDATE',
    config,
  }).map((f) => f.rule);
  t.ok(rules.includes('cancel-is-final'), 'every kind: a DocsRun too');
});

t.test('agent, model and dependsOn rules', async (t) => {
  t.match(findings(taskRun({ agent: 'zed' })), [
    /^error known-agent spec\.agent: Unsupported value: "zed": known agents: "rex", "blaze"/,
  ]);
  t.match(findings(taskRun({ model: 'other' })), [/^warning unknown-model spec\.model/]);
  t.match(findings(taskRun({ dependsOn: [1, 4] })), [/^error depends-on-self spec\.dependsOn\[1\]/]);
});

t.test('schema violations come with kubectl-style paths, all at once', async (t) => {
  const run = taskRun({ taskId: 0, priority: 'urgent', markdownFiles: [{ filename: 'a.txt' }] });
  delete (run.spec as Record<string, unknown>).serviceName;
  const all = findings(run);
  t.match(all.join('\n'), /spec\.taskId: Invalid value: 0/);
  t.match(
    all.join('\n'),
    /spec\.priority: Unsupported value: "urgent": supported values: "high", "standard", "low"/,
  );
  t.match(all.join('\n'), /spec\.markdownFiles\[0\]\.filename: Invalid value: "a\.txt"/);
  t.match(all.join('\n'), /spec\.serviceName: Required value/);
});

t.test('repository URLs: https or SSH, with an org and a repo, no credentials', async (t) => {
  for (const ok of [
    'https://github.com/a/b',
    'https://github.com/a/b.git',
    'git@github.com:a/b.git',
    'ssh://git@github.com/a/b',
  ]) {
    t.equal(repositoryUrlProblem(ok), undefined, ok);
  }
  t.match(repositoryUrlProblem('http://github.com/a/b'), /scheme http is not allowed/);
  t.match(repositoryUrlProblem('https://u:p@github.com/a/b'), /must not embed credentials/);
  t.match(repositoryUrlProblem('https://github.com/a'), /organisation and a repository/);
  t.match(repositoryUrlProblem('github.com/a/b'), /must be an https URL/);
});

t.test('relative paths may not escape or pose as options', async (t) => {
  t.equal(relativePathProblem('docs/api'), undefined);
  t.match(relativePathProblem('/etc'), /relative/);
  t.match(relativePathProblem('a/../../b'), /\.\./);
  t.match(relativePathProblem('-rf'), /option/);
  t.match(relativePathProblem('a\\b'), /separators/);
});

const codeRun = (spec: Record<string, unknown>) => ({
  kind: 'CodeRun',
  metadata: { name: 'c' },
  spec: {
    taskId: 1,
    service: 'api',
    githubApp: '5DLabs-Rex',
    repositoryUrl: 'https://github.com/a/b',
    docsRepositoryUrl: 'https://github.com/a/d',
    ...spec,
  },
});

t.test('CodeRun: githubApp recognised, contextVersion never decreases', async (t) => {
  const run = (object: unknown, oldObject?: unknown) =>
    validateRun({
      kind: 'CodeRun',
      object,
      oldObject,
      operation: oldObject ? 'UPDATE' : 'CREATE',
      config,
    }).map((f) => f.rule);
  t.same(run(codeRun({})), []);
  t.same(run(codeRun({ githubApp: '5DLabs-Unknown' })), ['github-app']);
  t.same(run(codeRun({ contextVersion: 1 }), codeRun({ contextVersion: 2 })), ['never-decrease']);
});

t.test(
  'CodeRun and DocsRun: an App that selects no agent profile is refused, naming the agents',
  async (t) => {
    // The shipped config recognises any App: the profile it selects is what decides.
    const anyApp: typeof config = { ...config, githubApps: [] };
    const findings = (kind: 'CodeRun' | 'DocsRun', githubApp: string, within = anyApp) =>
      validateRun({
        kind,
        object: { metadata: { name: 'x' }, spec: { ...codeRun({}).spec, githubApp } },
        operation: 'CREATE',
        config: within,
      }).filter((f) => f.rule === 'github-app-agent');
    const [refused] = findings('CodeRun', 'acme-nobody');
    t.equal(refused?.path, 'spec.githubApp');
    t.match(
      refused?.message,
      /^Unsupported value: "acme-nobody": no agent profile names this App .*"nobody", the agent its name gives, has no profile: known agents: "rex",/,
    );
    t.equal(findings('DocsRun', 'acme-nobody').length, 1, 'a DocsRun too');
    t.same(findings('CodeRun', 'acme-rex'), [], "the seed's rule: acme-rex runs rex");
    t.ok((config.githubApps ?? []).length > 0, 'a config that lists its Apps');
    t.same(
      findings('CodeRun', '5DLabs-Unknown', config),
      [],
      'not an App its list leaves out: github-app says that',
    );
  },
);

t.test('pod annotations: qualified-name keys and the apiserver size limit', async (t) => {
  // Everything allowed, so that only the shape rules speak.
  const open = { ...config, job: { ...config.job, allowedPodAnnotations: ['sim.orchestrator.io/', 'team'] } };
  const shape = (object: unknown) =>
    validateRun({ kind: 'TaskRun', object, operation: 'CREATE', config: open })
      .filter((f) => f.rule === 'pod-annotations')
      .map((f) => `${f.severity} ${f.rule} ${f.path}: ${f.message}`);
  t.same(findings(taskRun({ podAnnotations: { 'sim.orchestrator.io/delay': '30s' } })), []);
  t.match(shape(taskRun({ podAnnotations: { 'bad key': 'x', 'UPPER.io/x': 'y' } })), [
    /^error pod-annotations spec\.podAnnotations\["bad key"\]: Invalid value: "bad key": the name must be 63 characters at most/,
    /^error pod-annotations spec\.podAnnotations\["UPPER\.io\/x"\]: Invalid value: "UPPER\.io\/x": the prefix before "\/" must be a DNS subdomain/,
  ]);
  const big = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'x'.repeat(60_000)]));
  t.match(shape(taskRun({ podAnnotations: big })), [
    /^error pod-annotations spec\.podAnnotations: Too long: must have at most 262144 bytes \(keys and values\), has 300010/,
  ]);
});

t.test(
  'pod annotations: only the keys job.allowedPodAnnotations allows; an UPDATE judges what changed',
  async (t) => {
    const allowing = (allowed: string[]) => ({
      ...config,
      job: { ...config.job, allowedPodAnnotations: allowed },
    });
    const judged = (cfg: ControllerConfig, object: unknown, oldObject?: unknown) =>
      validateRun({
        kind: 'TaskRun',
        object,
        oldObject,
        operation: oldObject ? 'UPDATE' : 'CREATE',
        config: cfg,
      })
        .filter((f) => f.rule === 'pod-annotations-allowed')
        .map((f) => `${f.path}: ${f.message}`);
    const apparmor = 'container.apparmor.security.beta.kubernetes.io/agent';
    t.match(
      judged(
        config,
        taskRun({ podAnnotations: { [apparmor]: 'unconfined', 'sim.orchestrator.io/exit-code': '1' } }),
      ),
      [
        `spec.podAnnotations["${apparmor}"]: Forbidden: "${apparmor}" is not an annotation runs may set: the controller config's job.allowedPodAnnotations allows "sim.orchestrator.io/" (an entry ending in "/" allows that prefix); ask the platform team to add it`,
      ],
    );
    const mesh = allowing(['sidecar.istio.io/', 'team']);
    t.same(judged(mesh, taskRun({ podAnnotations: { 'sidecar.istio.io/inject': 'false', team: 'a' } })), []);
    t.match(
      judged(mesh, taskRun({ podAnnotations: { teams: 'a', 'sidecar.istio.io': 'x' } })),
      [/\["teams"\]: Forbidden/, /\["sidecar\.istio\.io"\]: Forbidden/],
      'an exact entry is no prefix, a prefix entry no key',
    );
    t.match(judged(allowing([]), taskRun({ podAnnotations: { team: 'a' } })), [/allows none/]);
    const stored = taskRun({ podAnnotations: { team: 'a' } });
    t.same(
      judged(allowing([]), taskRun({ podAnnotations: { team: 'a' } }), stored),
      [],
      'unchanged: not judged again',
    );
    t.match(
      judged(allowing([]), taskRun({ podAnnotations: { team: 'b' } }), stored),
      [/\["team"\]: Forbidden/],
      'a new value is',
    );
  },
);

const codeRunFindings = (spec: Record<string, unknown>, cfg: ControllerConfig = config) =>
  validateRun({ kind: 'CodeRun', object: codeRun(spec), operation: 'CREATE', config: cfg }).map(
    (f) => `${f.severity} ${f.rule} ${f.path}: ${f.message}`,
  );

t.test('env and envFromSecrets with free names are admitted', async (t) => {
  t.same(
    codeRunFindings({
      env: { LOG_LEVEL: 'debug', _x: '' },
      envFromSecrets: [{ name: 'OPENAI_API_KEY', secretName: 'keys', secretKey: 'openai' }],
    }),
    [],
  );
});

t.test('a reserved name is refused, naming the field and every reserved name', async (t) => {
  const all = codeRunFindings({
    env: { ANTHROPIC_API_KEY: 'x', ORCHESTRATOR_ANYTHING: 'y', RUN_DIR: '/' },
    envFromSecrets: [{ name: 'GITHUB_APP_PRIVATE_KEY', secretName: 's', secretKey: 'k' }],
  });
  t.match(all, [
    /^error agent-env spec\.env\["ANTHROPIC_API_KEY"\]: Invalid value: "ANTHROPIC_API_KEY": reserved: the operator or the entry script sets it/,
    /^error agent-env spec\.env\["ORCHESTRATOR_ANYTHING"\]: .*reserved/,
    /^error agent-env spec\.env\["RUN_DIR"\]: .*reserved/,
    /^error agent-env spec\.envFromSecrets\[0\]\.name: Invalid value: "GITHUB_APP_PRIVATE_KEY": reserved/,
  ]);
  for (const name of [...RESERVED_ENV_NAMES, 'ORCHESTRATOR_*']) t.match(all[0], name, `lists ${name}`);
});

t.test('an env name that is no variable name, and a name set twice, are refused', async (t) => {
  t.match(codeRunFindings({ env: { 'A-B': '1', '1X': '2' } }), [
    /^error agent-env spec\.env\["A-B"\]: Invalid value: "A-B": must be a letter or _, then letters, digits or _/,
    /^error agent-env spec\.env\["1X"\]: /,
  ]);
  t.match(
    codeRunFindings({
      env: { TOKEN: 'plain' },
      envFromSecrets: [
        { name: 'TOKEN', secretName: 's', secretKey: 'k' },
        { name: 'OTHER', secretName: 's', secretKey: 'k' },
        { name: 'OTHER', secretName: 't', secretKey: 'k' },
      ],
    }),
    [
      /^error agent-env spec\.envFromSecrets\[0\]\.name: Duplicate value: "TOKEN" \(also in spec\.env\)/,
      /^error agent-env spec\.envFromSecrets\[2\]\.name: Duplicate value: "OTHER" \(also spec\.envFromSecrets\[1\]\)/,
    ],
  );
});

t.test(
  'enableDocker is refused unless the config allows it, saying why and what would allow it',
  async (t) => {
    const [refused, ...rest] = codeRunFindings({ enableDocker: true });
    t.same(rest, []);
    t.match(refused, /^error docker spec\.enableDocker: Forbidden: /);
    t.match(refused, /privileged sidecar/);
    t.match(refused, /restricted Pod Security Standard/);
    t.match(refused, /job\.docker\.allowed is false/);
    t.same(codeRunFindings({ enableDocker: false }), []);
  },
);

t.test(
  'enableDocker, allowed, is still refused with egress on or for a GitHub App run: the daemon is root on the node',
  async (t) => {
    const allowing = (egress: boolean) =>
      configFrom({
        ...config,
        job: { ...config.job, docker: { allowed: true } },
        egress: { ...config.egress, enabled: egress },
      });
    const asUser = { githubApp: undefined, githubUser: 'alice', enableDocker: true };
    const [egressOn, ...rest] = codeRunFindings(asUser, allowing(true));
    t.same(rest, []);
    t.match(egressOn, /^error docker spec\.enableDocker: Forbidden: .*root on the node/);
    t.match(egressOn, /egress by allowlist \(egress\.enabled, on\) would not hold/);
    const [appRun] = codeRunFindings({ enableDocker: true }, allowing(false));
    t.match(
      appRun,
      /^error docker spec\.enableDocker: Forbidden: .*a run acting as a GitHub App \(spec\.githubApp\)/,
    );
    t.match(appRun, /spec\.githubUser/, 'says what would be admitted');
    const [both] = codeRunFindings({ enableDocker: true }, allowing(true));
    t.match(both, /egress\.enabled.*; and .*spec\.githubApp/, 'every reason at once');
    t.same(
      codeRunFindings(asUser, allowing(false)),
      [],
      'a GitHub user run with egress off: the admin chose it',
    );
  },
);

t.test('an agent with clusterAccess runs as its own ServiceAccount only', async (t) => {
  const tess = { githubApp: '5DLabs-Tess' };
  t.same(codeRunFindings(tess), [], 'none named');
  t.same(
    codeRunFindings({ ...tess, serviceAccountName: 'orchestrator-agent-cluster-access' }),
    [],
    'its own',
  );
  t.same(codeRunFindings({ serviceAccountName: 'anything' }), [], 'rex mounts no token: any account');
  const [refused, ...rest] = codeRunFindings({ ...tess, serviceAccountName: 'admin' });
  t.same(rest, []);
  t.match(
    refused,
    /^error cluster-access spec\.serviceAccountName: Forbidden: the run's agent has clusterAccess, so its pods run as the agent's own ServiceAccount "orchestrator-agent-cluster-access"/,
  );
  t.match(findings(taskRun({ agent: 'tess', serviceAccountName: 'admin' })), [/^error cluster-access /]);
});

t.test('a remediation session id requires continueSession', async (t) => {
  const remediation = { trigger: 'comment', feedback: 'Please rename the flag.', sessionId: 'sess-1' };
  t.same(codeRunFindings({ continueSession: true, remediation }), []);
  t.same(codeRunFindings({ remediation: { trigger: 'review', feedback: 'x' } }), []);
  t.match(codeRunFindings({ remediation }), [
    /^error remediation-session spec\.remediation\.sessionId: Invalid value: .*requires spec\.continueSession: true/,
  ]);
  t.match(codeRunFindings({ remediation: { trigger: 'push', feedback: '' } }), [
    /spec\.remediation\.trigger: Unsupported value: "push"/,
    /spec\.remediation\.feedback/,
  ]);
});

t.test('unknown localTools are refused with the known names; unknown tool lists check nothing', async (t) => {
  const localTools = ['filesystem', 'git', 'memory'];
  const check = (tools: string[], known: readonly string[] | null = localTools) =>
    validateRun({
      kind: 'CodeRun',
      object: codeRun({ localTools: tools }),
      operation: 'CREATE',
      config,
      localTools: known ?? undefined,
    }).map((f) => `${f.rule} ${f.path}: ${f.message}`);
  t.same(check(['memory', 'git']), []);
  t.same(check(['memory', 'postgres']), [
    'known-local-tool spec.localTools[1]: Unsupported value: "postgres": known local tools: "filesystem", "git", "memory" (localServers in the templates\' tool-presets.yaml)',
  ]);
  t.same(check(['postgres'], null), [], 'no presets known (e.g. a caller without templates)');
});
