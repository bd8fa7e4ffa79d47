// Everything that lists or names the run kinds is derived here from the generated kind table
// (src/api/generated/kinds.ts, from each run schema's `x-orchestrator-crd` key): resource paths,
// webhook paths and names, kubectl spellings, CRD names. A new kind is a schema and a strategy
// (docs/design.md §1.1); no list of kinds is written by hand anywhere else.
import { RUN_KIND_TABLE, type RunKindFacts, type RunKindName, type RunObjects } from './generated/kinds.js';
import type { RunStatus } from './types.js';

export type { RunKindName, RunObjects };
export { RUN_KIND_TABLE };

/** Every run kind, in the table's order (how `get all` lists them). */
export const RUN_KIND_NAMES = Object.keys(RUN_KIND_TABLE) as RunKindName[];

/** The object type of a run of kind K. */
export type RunOf<K extends RunKindName> = RunObjects[K];

/** A kind's facts. */
export const kindFacts = <K extends RunKindName>(kind: K): (typeof RUN_KIND_TABLE)[K] => RUN_KIND_TABLE[kind];

/** The API resource of a kind (the shape the runtime's ResourceType has). */
export const runResource = (kind: RunKindName) => {
  const { group, version, plural } = RUN_KIND_TABLE[kind];
  return { group, version, plural, kind };
};

/** `agenttaskruns.orchestrator.io`: the CRD's name, and kubectl's resource.group spelling. */
export const crdName = (kind: RunKindName): string =>
  `${RUN_KIND_TABLE[kind].plural}.${RUN_KIND_TABLE[kind].group}`;

/**
 * `taskrun.orchestrator.io`: how kubectl names a kind in `created` lines and `-o name` (the kind in
 * lower case, not the singular), which kubectl also takes back as the kind of that group.
 */
export const qualifiedName = (kind: RunKindName): string =>
  `${kind.toLowerCase()}.${RUN_KIND_TABLE[kind].group}`;

/**
 * The spellings the CLI accepts for a kind: kubectl's (singular, plural, short names) and the kind's own
 * name in lower case with its plural (`taskrun(s)`, which kubectl leaves to Tekton: decision 0076),
 * each also with `.group`.
 */
export function kindSpellings(kind: RunKindName): string[] {
  const { singular, plural, shortNames, group } = RUN_KIND_TABLE[kind];
  const own = kind.toLowerCase();
  const words = [...new Set([own, `${own}s`, singular, plural, ...shortNames])];
  return [...words, ...words.map((w) => `${w}.${group}`)];
}

/** The kind a user spelling names (any case), or undefined. */
export function lookupKind(word: string): RunKindName | undefined {
  const w = word.toLowerCase();
  return RUN_KIND_NAMES.find((k) => kindSpellings(k).includes(w));
}

/** `taskrun(s)/otr, coderun(s)/ocr, …`: the spellings, for help texts. */
export const KIND_HELP = RUN_KIND_NAMES.map((k) => {
  const { shortNames } = RUN_KIND_TABLE[k];
  return `${k.toLowerCase()}(s)${shortNames.map((s) => `/${s}`).join('')}`;
}).join(', ');

/** The spec field whose increase asks for a new attempt; undefined: the kind runs once. */
export const attemptField = (kind: RunKindName): string | undefined => {
  const facts: RunKindFacts = RUN_KIND_TABLE[kind];
  return 'attemptField' in facts ? facts.attemptField : undefined;
};

/** The attempt a run's spec asks for: its attempt field's value, 1 when unset or when the kind has none. */
export function specAttempt(kind: RunKindName, spec: object | undefined): number {
  const field = attemptField(kind);
  const value = field === undefined ? undefined : (spec as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'number' ? value : 1;
}

/** A kind's spec field holding its service, if it has one. */
export const serviceField = (kind: RunKindName): string | undefined => {
  const facts: RunKindFacts = RUN_KIND_TABLE[kind];
  return 'serviceField' in facts ? facts.serviceField : undefined;
};

/** A kind's spec field holding its task id, if it has one. */
export const taskIdField = (kind: RunKindName): string | undefined => {
  const facts: RunKindFacts = RUN_KIND_TABLE[kind];
  return 'taskIdField' in facts ? facts.taskIdField : undefined;
};

/** The phases a run ends in: after one, nothing runs until a raised attempt field (never after Cancelled). */
export const FINAL_PHASES = ['Succeeded', 'Failed', 'Cancelled'] as const;

/** Whether a phase is one a run ends in. */
export const finalPhase = (phase: string | undefined): phase is (typeof FINAL_PHASES)[number] =>
  (FINAL_PHASES as readonly (string | undefined)[]).includes(phase);

/** Whether the run's spec asks for it to be cancelled (spec.cancelled, every kind). */
export const cancelRequested = (run: object): boolean =>
  (run as { spec?: { cancelled?: unknown } }).spec?.cancelled === true;

/**
 * Whether a run is finished: Succeeded, or Failed for good, for the attempt its spec asks for; or
 * Cancelled, which is for good (admission refuses raising a cancelled run's attempt field). A raised
 * attempt field (`orchestrator retry`) makes it unfinished until the new attempt ends; an edit of any
 * other spec field does not (it asks for nothing to run). The reconciler and the CLI's `wait` share
 * this one definition.
 */
export function runFinished(kind: RunKindName, run: object): boolean {
  const { spec, status } = run as { spec?: object; status?: Pick<RunStatus, 'phase' | 'attempt'> };
  const { phase, attempt = 0 } = status ?? {};
  if (phase === 'Cancelled') return true;
  return finalPhase(phase) && specAttempt(kind, spec) <= attempt;
}

/** A record with a value for every kind, made by `make`. */
export function byKind<T>(make: (kind: RunKindName) => T): Record<RunKindName, T> {
  const out = {} as Record<RunKindName, T>;
  for (const kind of RUN_KIND_NAMES) out[kind] = make(kind);
  return out;
}
