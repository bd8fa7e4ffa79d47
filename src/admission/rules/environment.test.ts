import t from 'tap';
import { type ControllerConfig, RESERVED_ENV_NAMES } from '../../api/index.js';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { validateRun } from '../validate-run.js';

const config = loadDefaultConfig();
const codeRun = (spec: Record<string, unknown>) => ({
  apiVersion: 'orchestrator.io/v1',
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
const findings = (spec: Record<string, unknown>, cfg: ControllerConfig = config) =>
  validateRun({ kind: 'CodeRun', object: codeRun(spec), operation: 'CREATE', config: cfg }).map(
    (f) => `${f.severity} ${f.rule} ${f.path}: ${f.message}`,
  );

t.test('env and envFromSecrets with free names are admitted', async (t) => {
  t.same(
    findings({
      env: { LOG_LEVEL: 'debug', _x: '' },
      envFromSecrets: [{ name: 'OPENAI_API_KEY', secretName: 'keys', secretKey: 'openai' }],
    }),
    [],
  );
});

t.test('a reserved name is refused, naming the field and every reserved name', async (t) => {
  const all = findings({
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
  t.match(findings({ env: { 'A-B': '1', '1X': '2' } }), [
    /^error agent-env spec\.env\["A-B"\]: Invalid value: "A-B": must be a letter or _, then letters, digits or _/,
    /^error agent-env spec\.env\["1X"\]: /,
  ]);
  t.match(
    findings({
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
    const [refused, ...rest] = findings({ enableDocker: true });
    t.same(rest, []);
    t.match(refused, /^error docker spec\.enableDocker: Forbidden: /);
    t.match(refused, /privileged sidecar/);
    t.match(refused, /restricted Pod Security Standard/);
    t.match(refused, /job\.docker\.allowed is false/);
    t.same(findings({ enableDocker: false }), []);
    const allowing = configFrom({ ...config, job: { ...config.job, docker: { allowed: true } } });
    t.same(findings({ enableDocker: true }, allowing), []);
  },
);
