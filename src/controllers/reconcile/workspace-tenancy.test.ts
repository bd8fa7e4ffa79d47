// Whose a workspace claim is: a run of another submitter does not join it under its conventional name.
import t from 'tap';
import { type CodeRun, defaulted } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import { sampleCodeRun } from '../../render/samples.js';
import { foreignWorkspace } from './workspace-tenancy.js';

const config = loadDefaultConfig();
const sample = sampleCodeRun({ agent: 'rex', preset: 'default', continuing: false }, config);

const run = (submitter: string | undefined, pvcName?: string) =>
  defaulted(
    'CodeRun',
    {
      ...sample,
      metadata: {
        name: 'r',
        ...(submitter ? { annotations: { 'orchestrator.io/submitted-by': submitter } } : {}),
      },
      spec: { ...sample.spec, ...(pvcName ? { workspace: { pvcName } } : {}) },
    } as CodeRun,
    config,
  );
const claim = (submitter?: string) => ({
  metadata: {
    name: 'x',
    ...(submitter ? { annotations: { 'orchestrator.io/submitted-by': submitter } } : {}),
  },
});

t.test('the same submitter, an unrecorded claim, or no claim: the run joins', async (t) => {
  t.equal(foreignWorkspace('CodeRun', run('alice'), claim('alice'), config), undefined);
  t.equal(
    foreignWorkspace('CodeRun', run('alice'), claim(), config),
    undefined,
    'made before claims were recorded',
  );
  t.equal(foreignWorkspace('CodeRun', run('alice'), undefined, config), undefined, 'to be created');
});

t.test(
  "another submitter's claim under the conventional name: refused, saying whose and what to do",
  async (t) => {
    const name = run('bob').spec.workspace?.pvcName;
    t.match(name, /^workspace-/);
    t.equal(
      foreignWorkspace('CodeRun', run('bob'), claim('alice'), config),
      `PersistentVolumeClaim ${name} was created for the runs of alice, and bob's run would share its checkout, ` +
        `git state and agent memory; set spec.workspace.pvcName to a workspace of your own (e.g. ${name}-bob); ` +
        "a run cannot join another submitter's workspace under its own default name, since naming the default cannot be told from getting it",
    );
    t.match(
      foreignWorkspace('CodeRun', run(undefined), claim('alice'), config),
      /and a run with no recorded submitter would share/,
      'an unknown submitter is not alice',
    );
    t.match(
      foreignWorkspace('CodeRun', run('system:serviceaccount:ns:x'), claim('alice'), config),
      /\(e\.g\. \S+-system-serviceaccoun\)/,
      'a name: [a-z0-9-], bounded',
    );
  },
);

t.test('a run that names the claim itself was authorised at admission and joins', async (t) => {
  t.equal(foreignWorkspace('CodeRun', run('bob', 'shared-payments'), claim('alice'), config), undefined);
});
