// `npm run lint` fails when a doc names a repository path that does not exist (scripts/check-doc-paths.js),
// shown on two small trees: one README naming a missing file, one naming paths in every accepted form.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';

const script = join(import.meta.dirname, '../../scripts/check-doc-paths.js');
const check = (root: string) => spawnSync(process.execPath, [script, root], { encoding: 'utf8' });

const tree = {
  src: {
    runtime: { 'workqueue.ts': 'export {};\n' },
    controllers: { reconcile: { 'act.ts': '// the act step (docs/guide.md)\nexport {};\n' } },
  },
  scripts: { 'bench-load.js': '' },
  docs: { 'guide.md': '# Guide\n\n## The queue\n' },
};

t.test('a doc naming a path that does not exist fails, naming file, line and path', async (t) => {
  const root = t.testdir({
    ...tree,
    'README.md':
      '# x\n\nThe queue is `src/runtime/workqueue.ts`;\nits metrics, src/runtime/queue-metrics.ts.\n',
  });
  const run = check(root);
  t.equal(run.status, 1);
  t.equal(run.stderr, 'README.md:4: src/runtime/queue-metrics.ts does not exist\n');
});

t.test('a doc naming existing paths, in every form the check reads, passes', async (t) => {
  const root = t.testdir({
    ...tree,
    'README.md': [
      '# x',
      'See [the guide](docs/guide.md#the-queue) and docs/guide.md §2, `src/runtime/workqueue.ts:12`.',
      'Import style `src/runtime/workqueue.js`, a module `src/runtime/workqueue`, a folder src/controllers/.',
      'Globs `src/**/*.ts`, `scripts/bench-*.js`; placeholders `src/runtime/{name}.ts`, `docs/<page>.md`, `src/NAME.ts`.',
      'Abbreviated: `controllers/reconcile/act.ts`, `reconcile/act.js`. Elsewhere: /tmp/src/nothing.ts, ~/.cache/src/nothing.ts.',
      'An example of output: `src/made-up.ts` <!-- doc-paths: ignore -->',
      '<!-- doc-paths: ignore-next -->',
      '```sh',
      'cat src/made-up.ts',
      '```',
      '```sh',
      'cat src/runtime/workqueue.ts',
      '```',
    ].join('\n'),
  });
  const run = check(root);
  t.equal(run.stderr, '');
  t.equal(run.status, 0);
});
