import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureDist } from '../../scripts/build.js';
import { withApps } from '../../test/harness/util/app-configs.js';
import { configFrom, loadDefaultConfig } from '../config/load.js';
import { packageRoot } from '../util/package-root.js';
import { main } from './main.js';
import { manifestFiles, validateFiles } from './validate.js';

const root = packageRoot();
// The Apps the samples name, as an install names its own (the shipped config names none).
const shipped = withApps(loadDefaultConfig());
// The allowances the samples' headers name: taskrun-tainted-pool.yaml places itself (job.runPodTemplate),
// taskrun-unschedulable.yaml asks for 64 CPUs (job.maxResources); the shipped config refuses both.
const config = configFrom({
  ...shipped,
  job: {
    ...shipped.job,
    runPodTemplate: {
      nodeSelectorKeys: ['orchestrator.io/pool', 'kubernetes.io/arch'],
      tolerationKeys: ['orchestrator.io/pool'],
      affinity: true,
    },
    maxResources: { cpu: '64' },
  },
});
const sample = readFileSync(join(root, 'config', 'samples', 'taskrun.yaml'), 'utf8');

t.test('the samples: valid ones pass, each invalid one fails with its path', async (t) => {
  const samples = join(root, 'config', 'samples');
  const yamlIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).length;
  const report = validateFiles(manifestFiles([samples]), config);
  t.equal(report.valid, yamlIn(samples), 'every sample is valid');
  t.equal(report.invalid, yamlIn(join(samples, 'invalid')), 'every invalid sample is refused');
  t.ok(report.valid >= 5 && report.invalid >= 7);
  t.match(
    report.lines.join('\n'),
    /FAIL .*unknown-agent\.yaml: TaskRun\/unknown-agent\n {2}error: spec\.agent: Unsupported value: "bob"/,
  );
  t.match(report.lines.join('\n'), /ok {3}.*taskrun\.yaml: TaskRun\/payments-task-7/);
});

t.test('each invalid sample is refused under the shipped config too, as `npm start` admits', async (t) => {
  const invalid = join(root, 'config', 'samples', 'invalid');
  const report = validateFiles(manifestFiles([invalid]), loadDefaultConfig());
  t.equal(report.valid, 0, report.lines.filter((l) => l.startsWith('ok')).join('\n'));
  t.match(
    report.lines.join('\n'),
    /FAIL .*unknown-github-app\.yaml: CodeRun\/unknown-github-app\n {2}error: spec\.githubApp: Unsupported value: "acme-nobody": no agent profile names this App/,
  );
});

t.test(
  'multi-document files: one line per run, other kinds ignored, broken YAML and unknown fields fail',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-'));
    const file = join(dir, 'all.yaml');
    const typo = sample
      .replace('name: payments-task-7', 'name: typo')
      .replace('serviceName: payments', 'serviceName: payments\n  retryAtempt: 2');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n${sample}\n---\n${typo}\n---\nkey: [unclosed\n`,
    );
    const report = validateFiles([file], config, true);
    const text = report.lines.join('\n');
    t.notMatch(text, /ConfigMap/);
    t.match(
      text,
      /ok {3}.*all\.yaml#2: TaskRun\/payments-task-7\n( {2}note: .*\n)* {2}defaults: \[\{"op":"add","path":"\/spec\/agent","value":"rex"\}/,
    );
    t.match(text, /FAIL .*all\.yaml#3: TaskRun\/typo\n {2}error: spec\.retryAtempt: Unknown field/);
    t.match(text, /FAIL .*all\.yaml#4: invalid YAML/);
    t.equal(report.invalid, 2);
  },
);

t.test('what only RBAC can answer is listed as not checked, and does not fail the run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-'));
  const file = join(dir, 'user.yaml');
  writeFileSync(
    file,
    sample
      .replace('name: payments-task-7', 'name: as-user\n  namespace: team-a')
      .replace('serviceName: payments', 'serviceName: payments\n  serviceAccountName: deployer'),
  );
  const report = validateFiles([file], config);
  t.equal(report.valid, 1);
  t.match(
    report.lines.join('\n'),
    /ok {3}.*user\.yaml: TaskRun\/as-user\n( {2}note: .*\n)* {2}note: spec\.serviceAccountName: serviceaccounts "deployer": not checked offline: at admission the run's submitter must be allowed to create resource "serviceaccounts\/token" in API group "" in the namespace "team-a", or impersonate resource "serviceaccounts" /,
  );
  // The sample as an App's run (without its githubUser): the profile's App, which the config names.
  const appRun = join(dir, 'app.yaml');
  writeFileSync(appRun, sample.replace(/^ {4}githubUser: octocat\n/m, ''));
  t.same(
    validateFiles([appRun], config)
      .lines.filter((l) => l.includes('note:'))
      .map((l) => l.trim().replace(/: not checked offline: .*\((.*)\)$/, ' ($1)')),
    [
      'note: spec.agent: agentprofiles "rex" (the profile runs its pods as ServiceAccount orchestrator-agent, act as GitHub App acme-rex, with its image)',
      'note: spec.repository.url: repositories "github.com/acme/payments" (the operator would mint GitHub App acme-rex\'s installation token for this repository into the agent\'s pod)',
    ],
    "defaults only: the profile and the App repository are noted, the rest is the operator's",
  );
});

t.test('the command exits non-zero when anything is invalid', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-'));
  writeFileSync(join(dir, 'ok.yaml'), sample);
  const log = t.capture(console, 'log');
  t.equal(await main(['node', 'orchestrator', 'validate', dir]), 0);
  t.match(
    log()
      .map((c) => c.args.join(' '))
      .join('\n'),
    /1 valid, 0 invalid/,
  );
  process.exitCode = undefined;
  t.equal(await main(['node', 'orchestrator', 'validate', join(root, 'config', 'samples', 'invalid')]), 1);
  process.exitCode = undefined;
});

t.test('the installed bin runs (from dist)', async (t) => {
  t.ok(ensureDist(), 'dist is built');
  const res = spawnSync(
    process.execPath,
    [
      join(root, 'bin/orchestrator.js'),
      'validate',
      join(root, 'config', 'samples', 'invalid', 'unknown-agent.yaml'),
    ],
    {
      encoding: 'utf8',
    },
  );
  t.equal(res.status, 1);
  t.match(res.stdout, /spec\.agent: Unsupported value/);
});
