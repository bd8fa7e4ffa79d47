import t from 'tap';
import { RUN_KIND_NAMES } from '../../src/api/index.js';
import { SIM } from '../harness/operator/operator.js';
import { benchRuns, failsOnce } from './scale-runs.js';

t.test(
  'the mix: half CodeRuns, four in ten TaskRuns, one in ten DocsRuns, every kind in every service',
  async (t) => {
    const runs = benchRuns(1000, 50, 0.1);
    const count = (kind: string) => runs.filter((r) => r.kind === kind).length;
    t.same(
      RUN_KIND_NAMES.map((k) => [k, count(k)]),
      RUN_KIND_NAMES.map((k) => [k, { TaskRun: 400, CodeRun: 500, DocsRun: 100 }[k]]),
    );
    const service = (r: (typeof runs)[number]) =>
      (r.body.spec as { serviceName?: string; service?: string; workingDirectory?: string }).serviceName ??
      (r.body.spec as { service?: string }).service ??
      (r.body.spec as { workingDirectory?: string }).workingDirectory?.replace('projects/', '');
    t.equal(new Set(runs.map(service)).size, 50, '50 services');
    for (const kind of RUN_KIND_NAMES)
      t.equal(
        new Set(runs.filter((r) => r.kind === kind).map(service)).size,
        50,
        `${kind}s in every service`,
      );
    t.equal(new Set(runs.map((r) => r.name)).size, 1000, 'names are unique across kinds');
    const volume = (r: (typeof runs)[number]) =>
      (r.body.spec as { workspace: { pvcName: string } }).workspace.pvcName;
    t.equal(new Set(runs.map(volume)).size, 1000, 'a workspace volume each: none waits for another');
    const apps = new Set(
      runs.filter((r) => r.kind === 'CodeRun').map((r) => (r.body.spec as { githubApp: string }).githubApp),
    );
    t.same([...apps].sort(), ['5DLabs-Blaze', '5DLabs-Cipher', '5DLabs-Cleo', '5DLabs-Rex', '5DLabs-Tess']);
  },
);

t.test('exactly ⌊n·share⌋ runs fail once, spread evenly, and only they hold their agent', async (t) => {
  const runs = benchRuns(500, 50, 0.1);
  const failing = runs.filter((r) => r.failsOnce);
  t.equal(failing.length, 50);
  t.same(failing.map((r) => runs.indexOf(r)).slice(0, 3), [9, 19, 29]);
  for (const r of runs) {
    const held = (r.body.spec as { podAnnotations?: Record<string, string> }).podAnnotations?.[SIM.delay];
    t.equal(held, r.failsOnce ? '24h' : undefined, r.name);
  }
  t.equal(benchRuns(10, 50, 0).filter((r) => r.failsOnce).length, 0);
  t.equal(benchRuns(10, 50, 1).filter((r) => r.failsOnce).length, 10);
  t.notOk(failsOnce(0, 0.5));
  t.ok(failsOnce(1, 0.5));
});
