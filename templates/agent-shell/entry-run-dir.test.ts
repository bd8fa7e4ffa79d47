// The attempt's directory is made anew by the prepare phase (lib.sh fresh_run_dir): an earlier run's
// agent on the shared volume cannot have this attempt's settings, prompt and hooks written through a
// link it left on the way, nor leave files of its own in it (docs/security.md "The workspace is
// hostile").
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderTaskRun } from '../../src/render/index.js';
import { sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture } from '../../test/harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();

function onLocalRepo(t: Test) {
  const f = fixture(t);
  const url = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'hello\n' });
  const spec = sampleTaskRun({ agent: 'rex', preset: 'default', continuing: false });
  spec.spec.repository = { url, branch: 'main' };
  const rendered = renderTaskRun(set, spec, config, 1, f.options);
  const elsewhere = path.join(f.root, 'elsewhere');
  mkdirSync(elsewhere);
  return { f, rendered, elsewhere, run: rendered.context.paths.run };
}

/** The settings file the CLI was given, and whether it is the rendered one, in a real directory. */
function settingsGiven(t: Test, argv: string[], rendered: string | undefined) {
  const file = argv[argv.indexOf('--settings') + 1] ?? '';
  t.equal(readFileSync(file, 'utf8'), rendered, 'the CLI got the rendered settings');
  t.notOk(lstatSync(path.dirname(file)).isSymbolicLink(), 'from a real directory');
}

for (const [where, link] of [
  ['the run directory itself', (run: string) => run],
  ['a directory above it', (run: string) => path.dirname(run)],
] as const)
  t.test(`a link left as ${where} is replaced by a directory; nothing is written through it`, async (t) => {
    const { f, rendered, elsewhere, run } = onLocalRepo(t);
    mkdirSync(path.dirname(link(run)), { recursive: true });
    symlinkSync(elsewhere, link(run));
    const r = f.run(rendered);
    t.equal(r.status, 0, r.log);
    t.match(r.log, /was not a directory but a link or a file \(left by an earlier run's agent\?\): removed/);
    t.notOk(lstatSync(link(run)).isSymbolicLink(), 'a directory now');
    settingsGiven(t, r.argv, rendered.data['settings.json']);
    t.notOk(
      existsSync(path.join(elsewhere, 'config', 'settings.json')) ||
        existsSync(path.join(elsewhere, path.basename(run), 'config', 'settings.json')),
      'no file of the attempt went where the link pointed',
    );
  });

t.test(
  "a file an earlier run's agent left in the run directory is gone before the attempt starts",
  async (t) => {
    const { f, rendered, run } = onLocalRepo(t);
    mkdirSync(path.join(run, 'config', 'agent-shell'), { recursive: true });
    writeFileSync(path.join(run, 'config', 'agent-shell', 'stop-planted.sh'), '#!/bin/sh\nexit 0\n');
    const r = f.run(rendered);
    t.equal(r.status, 0, r.log);
    t.notOk(existsSync(path.join(run, 'config', 'agent-shell', 'stop-planted.sh')));
  },
);
