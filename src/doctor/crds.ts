// The run kinds' CRDs: installed, Established, and the same versions and schemas as this package's
// crds/ (an older install admits fields this operator no longer knows, or refuses ones it needs).
import { isDeepStrictEqual } from 'node:util';
import { isNotFound, type KubeObject } from '../runtime/index.js';
import { type DoctorCheck, type DoctorFinding, ok, problem } from './check.js';

const NAME = 'crds';
const FIX = 'orchestrator install (or kubectl apply -f crds/ from this package)';

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: unknown;
}

const versionsOf = (crd: KubeObject): CrdVersion[] =>
  ((crd as { spec?: { versions?: CrdVersion[] } }).spec?.versions ?? []).map((v) => ({
    name: v.name,
    served: v.served,
    storage: v.storage,
    schema: v.schema,
  }));

const established = (crd: KubeObject): boolean =>
  ((crd as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []).some(
    (c) => c.type === 'Established' && c.status === 'True',
  );

/** What differs between the installed CRD and the shipped one, or undefined when nothing that matters. */
function drift(installed: KubeObject, shipped: KubeObject): string | undefined {
  const mine = versionsOf(shipped);
  const theirs = new Map(versionsOf(installed).map((v) => [v.name, v]));
  for (const want of mine) {
    const have = theirs.get(want.name);
    if (!have) return `version ${want.name} is not installed`;
    if (want.served && !have.served) return `version ${want.name} is not served`;
    if (!isDeepStrictEqual(have.schema, want.schema))
      return `version ${want.name}'s schema differs from this package's (an install of another release)`;
  }
  return undefined;
}

export const crdsCheck: DoctorCheck = {
  name: NAME,
  description: "the run kinds' CRDs installed, Established, with this release's versions and schemas",
  async run(ctx) {
    const findings: DoctorFinding[] = [];
    for (const shipped of ctx.shipped.crds) {
      const name = shipped.metadata?.name as string;
      let installed: KubeObject;
      try {
        installed = await ctx.client.request(
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
        findings.push(problem(NAME, 'error', `the CRD ${name} is not installed`, FIX));
        continue;
      }
      const differs = drift(installed, shipped);
      if (!established(installed))
        findings.push(
          problem(
            NAME,
            'error',
            `the CRD ${name} is not Established (its names conflict, or the apiserver refused it)`,
            `kubectl describe crd ${name}`,
          ),
        );
      else if (differs) findings.push(problem(NAME, 'error', `the CRD ${name}: ${differs}`, FIX));
      else findings.push(ok(NAME, `${name} installed and Established`));
    }
    return findings;
  },
};
