// docs/first-run.md's shape, without a cluster: the blocks the in-cluster suite follows
// (test/integration/in-cluster.test.ts) are each a named step, its values are named once at the top and
// used below, the steps it does not run are the guide's, every block is read by bash and zsh alike
// and uses no tool's GNU- or BSD-only form, its versions are the release's, docs/install.md's commands
// are its install's, and the README's first screen links the guide.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/util/index.js';
import { packageVersion } from '../../src/util/version.js';
import { guideSteps, guideValues, NOT_RUN, VALUES_STEP } from '../harness/agent/first-run-guide.js';
import { documentedInstall } from '../harness/deploy/release.js';

const steps = guideSteps();
const names = steps.map((s) => s.name);

t.test('every shell block is a step, each named once, the values first', async (t) => {
  t.equal(names[0], VALUES_STEP);
  t.same([...new Set(names)], names, 'no step name twice');
  t.throws(() => guideSteps('```sh\nkubectl get pods\n```\n'), /has no "# step: <name>" line/);
});

t.test('each value is named once, at the top, and used by a later step', async (t) => {
  const values = guideValues(steps);
  t.ok(values.length > 0);
  const later = steps.filter((s) => s.name !== VALUES_STEP);
  for (const value of values) {
    t.ok(
      later.some((s) => s.script.includes(`$${value}`)),
      `$${value} is used`,
    );
    t.notOk(
      later.some((s) => new RegExp(`^\\s*(export )?${value}=`, 'm').test(s.script)),
      `$${value} is set nowhere else`,
    );
  }
});

t.test(
  'the steps the test does not run are steps of the guide, and the run is not one of them',
  async (t) => {
    for (const step of Object.keys(NOT_RUN)) t.ok(names.includes(step), `${step} is a step of the guide`);
    for (const step of [
      'install',
      'model-key',
      'app-secret',
      'app-config',
      'token',
      'grant',
      'run',
      'wait',
      'pull-request',
    ])
      t.notOk(step in NOT_RUN, `${step} is run`);
  },
);

t.test("the README's first screen links the guide", async (t) => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const firstScreen = readme.split('\n').slice(0, 40).join('\n');
  t.match(firstScreen, '(docs/first-run.md)');
});

t.test('every block is read by bash and by zsh (macOS), and none checks only its syntax', async (t) => {
  for (const shell of ['bash', 'zsh']) {
    for (const step of steps) {
      const read = spawnSync(shell, ['-n', '-c', step.script], { encoding: 'utf8' });
      t.equal(read.status, 0, `${shell} -n reads step ${step.name}: ${read.stderr}`);
    }
  }
  for (const shell of ['bash', 'zsh']) {
    const broken = spawnSync(shell, ['-n', '-c', 'echo "unterminated'], { encoding: 'utf8' });
    t.not(broken.status, 0, `${shell} -n refuses a broken block`);
  }
});

/** Forms one platform's tools or one shell take and the other's refuse, with what to write instead. */
const UNPORTABLE: [RegExp, string][] = [
  [
    /\bread\b[^\n|;]*\s-p\b/,
    "read -p is bash's (zsh reads -p as a coprocess): printf the prompt, then read -r",
  ],
  [/\bbase64\b[^\n|;]*\s-w/, "base64 -w is GNU's (macOS's has -b): base64 | tr -d '\\n'"],
  [/\bsed\b[^\n|;]*\s-i\b/, 'sed -i takes a suffix on BSD and none on GNU: write to another file'],
  [/\bgrep\b[^\n|;]*\s-P\b/, "grep -P is GNU's: grep -E"],
  [/\breadlink\b[^\n|;]*\s-f\b/, "readlink -f is GNU's (macOS's since 13 only)"],
  [/\bdate\b[^\n|;]*\s-d\b/, "date -d is GNU's"],
  [/\bxargs\b[^\n|;]*\s-r\b/, "xargs -r is GNU's"],
  [/\becho -e\b/, 'echo -e is not echo in zsh or sh: printf'],
  [/releases\/latest\//, 'a latest download is not pinned: name the version'],
];

t.test("no block uses a form one platform's tools or shell refuse", async (t) => {
  for (const step of steps)
    for (const [form, instead] of UNPORTABLE) t.notMatch(step.script, form, `step ${step.name}: ${instead}`);
  t.match('read -r -p "code: " CODE', UNPORTABLE[0]?.[0] as RegExp, 'the check finds read -p');
  t.match('printf %s "$K" | base64 -w0', UNPORTABLE[1]?.[0] as RegExp, 'the check finds base64 -w');
});

t.test(
  "the guide installs the release's version, and docs/install.md's commands are its install's",
  async (t) => {
    const version = packageVersion();
    const text = steps.map((s) => s.script).join('\n');
    const versions = [...text.matchAll(/--version (\S+)/g)].map((m) => m[1]);
    t.ok(versions.length >= 2, 'the install and the App config name a version');
    t.same([...new Set(versions)], [version], 'each is the release of this package');
    for (const [, tag] of text.matchAll(/\/orchestrator\/(v[^/\s]+)\//g))
      t.equal(tag, `v${version}`, "a file of the repository is read at the release's tag");
    t.same(documentedInstall(), {
      chart: 'oci://ghcr.io/5dlabs/charts/orchestrator',
      version,
      namespace: 'orchestrator-system',
    });
  },
);
