// The names kubectl knows the run kinds by, beside every other CRD of the cluster (decision 0076): a
// name another group also declares is resolved by kubectl to the group that sorts first, so `kubectl
// get otr` could list another operator's objects, or ours could hide theirs. And a CRD of our group
// under another name that holds one of our kinds (the seed's `taskruns.orchestrator.io`) keeps ours
// from being served at all.
import { GROUP, kindFacts, RUN_KIND_NAMES, type RunKindName } from '../api/index.js';
import { isForbidden, type KubeObject } from '../runtime/index.js';
import { type DoctorCheck, type DoctorFinding, ok, problem } from './check.js';

const NAME = 'crd-names';

interface CrdNames {
  group: string;
  kind: string;
  names: string[];
}

const namesOf = (crd: KubeObject): CrdNames => {
  const spec = (crd as { spec?: { group?: string; names?: Record<string, unknown> } }).spec;
  const n = spec?.names ?? {};
  const words = [n.plural, n.singular, ...((n.shortNames as unknown[]) ?? [])];
  return {
    group: spec?.group ?? '',
    kind: String(n.kind ?? ''),
    names: words.filter((w): w is string => typeof w === 'string' && w !== ''),
  };
};

/** The names kubectl resolves to a run kind: its plural, singular and short names. */
const kubectlNames = (kind: RunKindName) => {
  const { plural, singular, shortNames } = kindFacts(kind);
  return [plural, singular, ...shortNames];
};

/** The seed's, or an older release's, CRD of one of our kinds under another name. */
function kindTaken(crd: KubeObject, names: CrdNames): DoctorFinding | undefined {
  const kind = RUN_KIND_NAMES.find((k) => k === names.kind);
  const name = crd.metadata?.name ?? '';
  if (names.group !== GROUP || !kind || names.names[0] === kindFacts(kind).plural) return undefined;
  const ours = `${kindFacts(kind).plural}.${GROUP}`;
  return problem(
    NAME,
    'error',
    `the CRD ${name} (an older install's, the seed's) holds kind ${kind} of ${GROUP}, so ${ours} cannot be served`,
    `kubectl get ${name} -A -o yaml > ${names.names[0]}-backup.yaml; remove each one's finalizers; kubectl delete crd ${name}; then orchestrator install (docs/upgrading.md, "The TaskRun CRD renamed")`,
  );
}

/** Another group's CRD that declares one of our kubectl names: who kubectl gives that name to. */
function shared(other: CrdNames, kind: RunKindName): DoctorFinding | undefined {
  const both = kubectlNames(kind).filter((n) => other.names.includes(n));
  if (other.group === GROUP || both.length === 0) return undefined;
  const ours = `${kindFacts(kind).plural}.${GROUP}`;
  // kubectl orders groups of equal priority (every CRD's) by name: the first takes the shared name.
  const theirsFirst = other.group < GROUP;
  return problem(
    NAME,
    'warning',
    theirsFirst
      ? `${other.kind} of ${other.group} also declares ${both.join(', ')}: kubectl resolves them to it, not to ${kind}`
      : `${other.kind} of ${other.group} also declares ${both.join(', ')}: kubectl resolves them to ${kind}, hiding its objects`,
    theirsFirst
      ? `name the runs in full: kubectl get ${ours}`
      : `name the others in full: kubectl get ${other.names[0]}.${other.group}`,
  );
}

export const crdNamesCheck: DoctorCheck = {
  name: NAME,
  description: "no other CRD declares the run kinds' kubectl names, nor holds one of their kinds",
  async run(ctx) {
    // Every CRD of the cluster, schemas included, can be megabytes: a user's question at install, not
    // the starting manager's.
    if (ctx.atStart) return [];
    let crds: KubeObject[];
    try {
      crds =
        (
          await ctx.client.request<{ items?: KubeObject[] }>(
            'GET',
            '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
          )
        ).items ?? [];
    } catch (err) {
      if (!isForbidden(err)) throw err;
      return [
        problem(NAME, 'warning', 'could not list the CRDs to compare names', 'run doctor as a cluster admin'),
      ];
    }
    const findings: DoctorFinding[] = [];
    for (const crd of crds) {
      const names = namesOf(crd);
      const taken = kindTaken(crd, names);
      if (taken) findings.push(taken);
      for (const kind of RUN_KIND_NAMES) {
        const found = shared(names, kind);
        if (found) findings.push(found);
      }
    }
    if (findings.length > 0) return findings;
    const all = RUN_KIND_NAMES.flatMap(kubectlNames).join(', ');
    return [ok(NAME, `no other CRD declares ${all}`)];
  },
};
