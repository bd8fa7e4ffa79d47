// The test runner's parts (scripts/test.js): each file's lane and needs read from its header, the
// order a lane runs its files in, the TAP stream read into per-file results and counts, and the
// report of where the time went against the budget. The harness's refusal of a cluster a lane may
// not have (test/harness/cluster/cluster.ts laneProblem).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBuilds } from '../../scripts/test-builds.js';
import { readDurations, writeDurations } from '../../scripts/test-durations.js';
import { classify, classifyFiles, laneOrder, readyFiles } from '../../scripts/test-lanes.js';
import { type FileResult, runTap, tapReader } from '../../scripts/test-tap.js';
import { BUDGET_MINUTES, Timing, timingReport } from '../../scripts/test-timing.js';
import { laneProblem } from '../harness/cluster/cluster.js';

const root = path.resolve(import.meta.dirname, '../..');

t.test('a file is in the lane its place and header say, with the needs its header names', async (t) => {
  t.same(classify('src/a/b.test.ts', '// x\nimport t from "tap";'), {
    file: 'src/a/b.test.ts',
    lane: 'unit',
    needs: [],
  });
  t.same(classify('test/integration/x.test.ts', '// about x\n// @needs helm otelcol (why)\nimport t;'), {
    file: 'test/integration/x.test.ts',
    lane: 'integration',
    needs: ['helm', 'otelcol'],
  });
  t.same(
    classify('test/integration/y.test.ts', '// @lane real-node\n// @needs node node agent-image\n').needs,
    ['node', 'agent-image'],
  );
  t.equal(classify('test/integration/y.test.ts', '// @lane real-node\n').lane, 'real-node');
  // Only the header counts: a tag in the code is not read.
  t.equal(classify('test/integration/z.test.ts', 'import t;\n// @lane real-node\n').lane, 'integration');
});

t.test('a wrong header is an error naming the file and the rule', async (t) => {
  t.throws(
    () => classify('test/integration/x.test.ts', '// @lane fast\n'),
    /x\.test\.ts: @lane fast: the only lane/,
  );
  t.throws(
    () => classify('test/integration/x.test.ts', '// @needs gpu\n'),
    /x\.test\.ts: @needs gpu: known needs are node, /,
  );
  t.throws(
    () => classify('src/x.test.ts', '// @lane real-node\n'),
    /src\/x\.test\.ts: @lane real-node is for files under test\/integration/,
  );
  t.throws(
    () => classify('src/x.test.ts', '// @needs helm\n'),
    /src\/x\.test\.ts: @needs is for files under test\/integration/,
  );
});

t.test('a lane runs the files needing nothing first, then in the order their needs are built', async (t) => {
  const files = [
    classify('test/integration/e.test.ts', '// @lane real-node\n// @needs node argo\n'),
    classify('test/integration/d.test.ts', '// @lane real-node\n// @needs node\n'),
    classify('test/integration/c.test.ts', '// @lane real-node\n// @needs node agent-image\n'),
    classify('test/integration/b.test.ts', '// @lane real-node\n'),
    classify('test/integration/a.test.ts', '// plain\n'),
  ];
  t.same(
    laneOrder(files, 'real-node').map((f) => f.file),
    ['b', 'd', 'c', 'e'].map((n) => `test/integration/${n}.test.ts`),
  );
  t.same(
    laneOrder(files, 'integration').map((f) => f.file),
    ['test/integration/a.test.ts'],
  );
});

t.test('a file may start once its own needs are settled, whatever a file before it waits for', async (t) => {
  const files = laneOrder(
    [
      classify('test/integration/e2e.test.ts', '// @lane real-node\n// @needs node agent-image\n'),
      classify('test/integration/argo.test.ts', '// @lane real-node\n// @needs node argo\n'),
      classify('test/integration/policy.test.ts', '// @lane real-node\n// @needs node kube-router\n'),
    ],
    'real-node',
  );
  const ready = (...settled: string[]) => readyFiles(files, new Set(settled)).map((f) => f.file);
  t.same(ready('node'), [], 'the node alone starts none of them');
  t.same(
    ready('node', 'argo'),
    ['test/integration/argo.test.ts'],
    'Argo built before the agent image: its file goes first',
  );
  t.same(
    ready('node', 'argo', 'agent-image', 'kube-router'),
    ['e2e', 'policy', 'argo'].map((n) => `test/integration/${n}.test.ts`),
    "all settled: laneOrder's order, NEEDS': the agent image's file first, Argo's last",
  );
});

t.test(
  'within a rank a lane starts its longest files first, by the last run, untimed ones first',
  async (t) => {
    const files = ['a', 'b', 'c', 'd'].map((n) => classify(`test/integration/${n}.test.ts`, '// plain\n'));
    files.push(classify('test/integration/e.test.ts', '// @needs helm\n'));
    const durations = new Map([
      ['test/integration/a.test.ts', 1_000],
      ['test/integration/b.test.ts', 90_000],
      ['test/integration/d.test.ts', 5_000],
      ['test/integration/e.test.ts', 500_000],
    ]);
    t.same(
      laneOrder(files, 'integration', durations).map((f) => f.file),
      ['c', 'b', 'd', 'a', 'e'].map((n) => `test/integration/${n}.test.ts`),
      'a need still comes first: the longest file waiting for helm runs after those needing nothing',
    );
  },
);

t.test("the durations record keeps earlier figures, takes this run's, and survives a bad file", async (t) => {
  const dir = t.testdir({ 'bad.json': '{ not json' });
  t.same(readDurations(path.join(dir, 'missing.json')), new Map());
  t.same(readDurations(path.join(dir, 'bad.json')), new Map());
  const file = path.join(dir, 'cache', 'test-durations.json');
  writeDurations(
    file,
    new Map([
      ['x.test.ts', 10],
      ['y.test.ts', 20],
    ]),
    [{ file: 'y.test.ts', ms: 30.4 }, { file: 'z.test.ts', ms: 5 }, { file: 'x.test.ts' }],
  );
  t.same(
    readDurations(file),
    new Map([
      ['x.test.ts', 10],
      ['y.test.ts', 30],
      ['z.test.ts', 5],
    ]),
  );
});

t.test("the repository's test files all classify, and the real node's suites are in its lane", async (t) => {
  const include = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).tap.include as string[];
  const { globSync } = await import('node:fs');
  const files = include.flatMap((p) => globSync(p, { cwd: root }));
  const classified = classifyFiles(root, files);
  const realNode = laneOrder(classified, 'real-node').map((f) => f.file);
  t.ok(realNode.includes('test/integration/real-node.test.ts'), realNode.join(', '));
  // Its egress proof runs the agent image: it waits for that build like the agent suites; it alone
  // enforces NetworkPolicies, so it alone waits for kube-router.
  t.same(
    classified.find((f) => f.file === 'test/integration/real-node.test.ts')?.needs,
    ['node', 'kube-router', 'agent-image'],
    'real-node.test.ts needs the node, kube-router and the agent image',
  );
  t.same(
    classified.filter((f) => f.needs.includes('kube-router')).map((f) => f.file),
    ['test/integration/real-node.test.ts'],
  );
  for (const f of laneOrder(classified, 'real-node'))
    t.ok(f.needs.includes('node'), `${f.file} waits for the node`);
});

t.test('the harness refuses a cluster the lane may not have, saying what to do', async (t) => {
  t.match(laneProblem(false, 'unit'), /belongs under test\/integration/);
  t.match(laneProblem(true, 'integration'), /`\/\/ @lane real-node`/);
  t.equal(laneProblem(true, 'real-node'), undefined);
  t.equal(laneProblem(false, 'integration'), undefined);
  t.equal(laneProblem(true, undefined), undefined, 'a file run alone with tap has no lane');
});

const STREAM = `TAP version 14
# Subtest: test/a.test.ts
    # Subtest: inner
        ok 1 - nested, not a suite of the file # time=3ms
        1..1
    ok 1 - inner # time=1000.5ms
    1..1
ok 1 - test/a.test.ts # time=1234.5ms

# Subtest: test/b.test.ts
    not ok 1 - inner fails
    1..1
not ok 2 - test/b.test.ts # time=20ms

1..2
# { total: 7, pass: 5, fail: 1, skip: 0, todo: 1 }
`;

t.test('a TAP stream gives each file its result, time and lines, and the closing counts', async (t) => {
  const files: FileResult[] = [];
  const reader = tapReader((f) => files.push(f));
  t.same(reader.summary(), { found: false, pass: 0, fail: 0, skip: 0 }, 'no closing comment yet');
  for (const line of STREAM.split('\n')) reader.line(line);
  t.same(
    files.map(({ file, ok, ms }) => ({ file, ok, ms })),
    [
      { file: 'test/a.test.ts', ok: true, ms: 1234.5 },
      { file: 'test/b.test.ts', ok: false, ms: 20 },
    ],
  );
  t.ok(files[1]?.lines.includes('    not ok 1 - inner fails'), 'the failed block keeps its lines');
  t.same(files[0]?.suites, [{ name: 'inner', ms: 1000.5 }], "a file's top-level tests with their times");
  t.same(files[1]?.suites, [], 'an untimed one is not');
  t.same(reader.summary(), { found: true, pass: 5, fail: 1, skip: 1 });
});

t.test(
  'runTap runs real files: a line per passing file, the whole block of a failing one, the counts',
  async (t) => {
    const dir = t.testdir({
      'pass.test.mjs': "import t from 'tap'; t.pass('fine');\n",
      'fail.test.mjs': "import t from 'tap'; t.fail('broken on purpose');\n",
    });
    let out = '';
    let err = '';
    // What another lane's test processes are writing as this tap starts: it must not be deleted.
    const marker = path.join(root, '.tap/processinfo', `lane-beside-${process.pid}.json`);
    mkdirSync(path.dirname(marker), { recursive: true });
    writeFileSync(marker, '{}');
    t.teardown(() => rmSync(marker, { force: true }));
    const tap = runTap({
      name: 'demo',
      files: [path.join(dir, 'pass.test.mjs'), path.join(dir, 'fail.test.mjs')],
      jobs: 1,
      env: {},
      // Not this file's tap: a tap started under one reports to it, with no closing counts.
      baseEnv: Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(_?TAP|NODE_OPTIONS)/.test(k)),
      ),
      logDir: dir,
      write: (s) => {
        out += s;
      },
      writeErr: (s) => {
        err += s;
      },
    });
    const result = await tap.done;
    // A tap that could not run says why on its stderr: kept in the failure, not lost in the lane's.
    t.ok(result.found, `the closing counts were read (tap's stderr: ${JSON.stringify(err.slice(-2000))})`);
    t.equal(result.pass, 1);
    t.equal(result.fail, 1);
    t.not(result.code, 0);
    t.match(out, /\[demo\] ok .*pass\.test\.mjs/);
    t.match(out, /\[demo\] .*broken on purpose/);
    t.match(
      readFileSync(path.join(dir, 'tap-demo.log'), 'utf8'),
      /broken on purpose/,
      'the whole stream is logged',
    );
    t.ok(existsSync(marker), "another tap's .tap/processinfo is left as it was");
  },
);

t.test(
  'the report names the total against the budget, the builds, the lanes and the slowest files',
  async (t) => {
    let now = 0;
    const timing = new Timing(() => now);
    await timing.span('build', 'control plane', async () => {
      now += 90_000;
    });
    timing.add('lane', 'unit', 300_000, '200 files');
    now = 31 * 60_000;
    const lines = timingReport(
      timing,
      [
        { file: 'a', ms: 5_000, suites: [{ name: 'quick', ms: 4_000 }] },
        { file: 'b', ms: 700_000, suites: [{ name: 'long', ms: 600_000 }] },
        { file: 'c' },
      ],
      {
        cold: false,
        cpu: { user: 50 * 60e6, system: 12 * 60e6 },
        cores: 2,
        cpuFiles: [
          { file: 'a', ms: 9_000 },
          { file: 'b', ms: 60_000 },
        ],
      },
    );
    const hungriest = lines.slice(lines.findIndex((l) => l.includes('the hungriest')));
    t.match(hungriest[0], /CPU of 2 test files: 1\.1 min summed/);
    t.same(
      hungriest.slice(1).map((l) => l.trim()),
      ['60 s  b', '9.0 s  a'],
      'the files ranked by their CPU',
    );
    t.match(lines[1], /cpu: 50\.0 min user \+ 12\.0 min system, 100% of 2 cores/, 'the CPU the run took');
    t.match(lines[0], `31.0 min in all, against a budget of ${BUDGET_MINUTES.warm.toFixed(1)} min (warm`);
    t.match(lines[0], /OVER it by 1\.0 min/);
    t.match(lines.join('\n'), /builds: control plane 90 s/);
    t.match(lines.join('\n'), /lanes: unit 300 s \(200 files\)/);
    const slowest = lines.slice(
      lines.findIndex((l) => l.includes('the slowest')) + 1,
      lines.findIndex((l) => l.includes('suites (top-level tests)')),
    );
    t.match(slowest[0], /700 s {2}b$/);
    t.match(slowest[1], /5\.0 s {2}a$/);
    t.equal(slowest.length, 2, 'a file without a time is not ranked');
    const suites = lines.slice(
      lines.findIndex((l) => l.includes('suites (top-level tests)')) + 1,
      lines.findIndex((l) => l.includes('the hungriest')),
    );
    t.same(
      suites.map((l) => l.trim()),
      ['600 s  b: long', '4.0 s  a: quick'],
      'the slowest suites, named by file',
    );
    t.match(
      timingReport(timing, [], { cold: true })[0],
      /budget of 60\.0 min \(cold.*within it by 29\.0 min/,
    );
  },
);

t.test(
  'the operator image built again for changed sources leaves a run warm; its bases built make it cold',
  async (t) => {
    const run = async (steps: string[]) => {
      const state = { cold: false };
      const builds = startBuilds(['operator-image'], {
        cluster: {
          buildOperatorImage: async ({ progress }) => {
            for (const step of steps) progress?.(step);
            return { name: 'orchestrator.local/orchestrator:abc' };
          },
        },
        log: () => {},
        timing: new Timing(),
        state,
      });
      await builds.all;
      return state.cold;
    };
    const own = [
      'buildah bud /work/main -> orchestrator.local/orchestrator:abc',
      'buildah push orchestrator.local/orchestrator:abc oci-archive:/c/images/orchestrator-abc.oci',
      "removed the cache's older orchestrator images: orchestrator.local/orchestrator:old",
      'removed 3 older build stages from the build storage',
    ];
    t.equal(await run(own), false, 'only its own build: warm');
    t.equal(await run([]), false, 'cached: warm');
    t.equal(
      await run(['buildah bud images/node -> orchestrator.local/node:1', ...own]),
      true,
      'a base built: cold',
    );
    t.equal(
      await run(['mmdebstrap bookworm (minbase, ca-certificates)']),
      true,
      'the Debian base made: cold',
    );
  },
);
