// The CRD names check on CRD lists as the apiserver returns them (the kubectl side, with Tekton's CRD
// installed: test/integration/crds.test.ts).
import t from 'tap';
import { ApiError, type ApiRequester, type KubeObject } from '../runtime/index.js';
import type { DoctorContext } from './check.js';
import { crdNamesCheck } from './crd-names.js';

const crd = (name: string, group: string, kind: string, shortNames: string[] = []): KubeObject =>
  ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group,
      names: { kind, plural: name.split('.')[0], singular: kind.toLowerCase(), shortNames },
    },
  }) as KubeObject;

const OURS = [
  crd('agenttaskruns.orchestrator.io', 'orchestrator.io', 'TaskRun', ['otr']),
  crd('coderuns.orchestrator.io', 'orchestrator.io', 'CodeRun', ['ocr']),
];
const TEKTON = crd('taskruns.tekton.dev', 'tekton.dev', 'TaskRun', ['tr', 'trs']);

const context = (items: KubeObject[] | Error, atStart = false) =>
  ({
    atStart,
    client: {
      async request() {
        if (items instanceof Error) throw items;
        return { items };
      },
    } as unknown as ApiRequester,
  }) as DoctorContext;

t.test("beside Tekton's TaskRun: no name shared, nothing to say but that", async (t) => {
  const [finding, ...more] = await crdNamesCheck.run(context([...OURS, TEKTON]));
  t.same(more, []);
  t.match(finding, {
    severity: 'ok',
    message: /^no other CRD declares agenttaskruns, agenttaskrun, otr, coderuns/,
  });
});

t.test("the seed's CRD of our kind under its old name: an error, with the migration", async (t) => {
  const seed = crd('taskruns.orchestrator.io', 'orchestrator.io', 'TaskRun', ['tr']);
  const findings = await crdNamesCheck.run(context([...OURS, seed]));
  t.match(findings, [
    {
      severity: 'error',
      message:
        /the CRD taskruns\.orchestrator\.io .* holds kind TaskRun of orchestrator\.io, so agenttaskruns\.orchestrator\.io cannot be served/,
      fix: /kubectl get taskruns\.orchestrator\.io -A -o yaml > taskruns-backup\.yaml; remove each one.s finalizers; kubectl delete crd taskruns\.orchestrator\.io/,
    },
  ]);
});

t.test(
  'another group declaring one of our names: which kind kubectl gives it to, and the full name',
  async (t) => {
    const before = crd('otrs.acme.io', 'acme.io', 'OtherRun', ['otr']);
    const after = crd('coderuns.zeta.dev', 'zeta.dev', 'CodeRun', []);
    const findings = await crdNamesCheck.run(context([...OURS, before, after]));
    t.match(findings, [
      {
        severity: 'warning',
        message: 'OtherRun of acme.io also declares otr: kubectl resolves them to it, not to TaskRun',
        fix: 'name the runs in full: kubectl get agenttaskruns.orchestrator.io',
      },
      {
        severity: 'warning',
        message:
          'CodeRun of zeta.dev also declares coderuns, coderun: kubectl resolves them to CodeRun, hiding its objects',
        fix: 'name the others in full: kubectl get coderuns.zeta.dev',
      },
    ]);
  },
);

t.test('the CRDs not listable: a warning for a user; a starting manager does not list them', async (t) => {
  const forbidden = new ApiError(403, 'Forbidden', 'customresourcedefinitions is forbidden');
  t.match(await crdNamesCheck.run(context(forbidden)), [{ severity: 'warning' }]);
  t.same(
    await crdNamesCheck.run(context([TEKTON, crd('x.orchestrator.io', 'orchestrator.io', 'TaskRun')], true)),
    [],
  );
});
