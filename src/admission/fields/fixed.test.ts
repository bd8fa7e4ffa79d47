// Updates never change whose power a run uses: the fields an update may not change, and the wording.
import t from 'tap';
import { CLAIM_REFERENCE } from '../references/index.js';
import type { FieldRow } from './classes.js';
import { fixedFieldChanges, fixedRows, valueAt } from './fixed.js';

const codeRun = (spec: Record<string, unknown>) => ({
  metadata: { name: 'fix' },
  spec: {
    taskId: 3,
    service: 'payments',
    repositoryUrl: 'https://github.com/acme/payments',
    githubUser: 'alice',
    image: 'ghcr.io/5dlabs/agent:1',
    envFromSecrets: [{ name: 'DB', secretName: 'db', secretKey: 'password' }],
    env: { MODE: 'ci' },
    contextVersion: 1,
    ...spec,
  },
});
const old = codeRun({});
const changes = (spec: Record<string, unknown>) =>
  fixedFieldChanges('CodeRun', codeRun(spec), old).map((f) => `${f.rule} ${f.path}: ${f.message}`);

t.test('another editor cannot repoint a run at their image, variables or Secrets', async (t) => {
  t.match(changes({ image: 'docker.io/attacker/anything' }), [
    /^fixed-after-create spec\.image: Forbidden: field is immutable after creation \(was "ghcr\.io\/5dlabs\/agent:1", now "docker\.io\/attacker\/anything"\): it decides what the run's pod may use \(the program the pod runs, with the run's credentials\) and its submitter's permission was checked for it; create a new run to change it$/,
  ]);
  t.match(changes({ env: { MODE: 'ci', LD_PRELOAD: '/workspace/x.so' } }), [
    /^fixed-after-create spec\.env: /,
  ]);
  t.match(changes({ envFromSecrets: [{ name: 'DB', secretName: 'other', secretKey: 'password' }] }), [
    /^fixed-after-create spec\.envFromSecrets\[\]\.secretName: .*was \["db"\], now \["other"\]/,
  ]);
  t.match(changes({ githubUser: 'mallory' }), [/^fixed-after-create spec\.githubUser: /]);
  t.match(changes({ podTemplate: { tolerations: [{ operator: 'Exists' }] } }), [
    /^fixed-after-create spec\.podTemplate\.tolerations: .*was null/,
  ]);
});

t.test('the inert fields and the counters stay editable', async (t) => {
  t.same(changes({ contextVersion: 2 }), [], 'raising contextVersion starts a new session');
  t.same(changes({ model: 'claude-opus-4' }), []);
  t.same(changes({ remediation: { feedback: 'also fix the tests' } }), []);
  t.same(changes({ envFromSecrets: [{ name: 'DB', secretName: 'db', secretKey: 'other-key' }] }), []);
  t.same(fixedFieldChanges('CodeRun', old, structuredClone(old)), [], 'an unchanged run');
});

t.test('valueAt maps a list path over its items', async (t) => {
  const run = codeRun({});
  t.same(valueAt(run, 'spec.envFromSecrets[].secretName'), ['db']);
  t.same(valueAt(run, 'spec.envFromSecrets[]'), run.spec.envFromSecrets);
  t.equal(valueAt(run, 'spec.workspace.pvcName'), undefined);
  t.equal(valueAt({ spec: { envFromSecrets: 'x' } }, 'spec.envFromSecrets[].name'), undefined);
});

t.test('a fixed row under another fixed row is judged once, by the outer one', async (t) => {
  const rows: FieldRow[] = [
    { path: 'spec.workspace', class: 'bounded', effect: 'w', bound: 'b' },
    {
      path: 'spec.workspace.pvcName',
      class: 'authorised',
      effect: 'p',
      reference: CLAIM_REFERENCE,
    },
    { path: 'spec.model', class: 'inert', verb: 'retry', effect: 'm' },
  ];
  t.same(
    fixedRows('CodeRun', rows).map((r) => r.path),
    ['spec.workspace'],
  );
});
