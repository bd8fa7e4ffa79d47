// The run kinds as users name them on the command line: kubectl's spellings (`taskrun`, `taskruns`, `tr`,
// `taskrun.orchestrator.io`), `all`, and `kind/name` references as the commands print them.
import { type ApiKind, GROUP, PLURALS, VERSION } from '../api/index.js';
import { type ResourceType, resourcePath } from '../runtime/index.js';
import { fail } from './io.js';

export const RUN_KINDS: readonly ApiKind[] = ['TaskRun', 'CodeRun', 'DocsRun'];
const SHORT: Record<ApiKind, string> = { TaskRun: 'tr', CodeRun: 'cr', DocsRun: 'dr' };

export function resourceType(kind: ApiKind): ResourceType {
  return { group: GROUP, version: VERSION, plural: PLURALS[kind], kind };
}

/** `coderun.orchestrator.io`: how kubectl names a resource in `created` lines and `-o name`. */
export const qualifiedName = (kind: ApiKind) => `${kind.toLowerCase()}.${GROUP}`;

/** The path of a run (or, without name, of the kind's collection; without namespace, across namespaces). */
export const runPath = (kind: ApiKind, namespace?: string, name?: string) =>
  resourcePath(resourceType(kind), namespace, name);

export const KIND_HELP = 'taskrun(s)/tr, coderun(s)/cr, docsrun(s)/dr';

/** The kind a user spelling names, or undefined. */
export function lookupKind(word: string): ApiKind | undefined {
  const w = word.toLowerCase().replace(new RegExp(`\\.${GROUP.replace('.', '\\.')}$`), '');
  return RUN_KINDS.find((k) => [k.toLowerCase(), PLURALS[k], SHORT[k]].includes(w));
}

export function parseKind(word: string): ApiKind {
  const kind = lookupKind(word);
  if (!kind) throw fail(`unknown kind "${word}": use one of ${KIND_HELP}`);
  return kind;
}

/** The kinds of `get [kind]`: one kind, or every run kind for `all` (and when none is given). */
export function parseKinds(word: string | undefined): ApiKind[] {
  if (word === undefined || word === 'all') return [...RUN_KINDS];
  return [parseKind(word)];
}

export interface RunRef {
  kind: ApiKind;
  name: string;
}

/** `<kind> <name>` or `<kind>/<name>` (e.g. `coderun.orchestrator.io/payments-x7k2p`). */
export function parseRef(first: string, second: string | undefined): RunRef {
  const slash = first.indexOf('/');
  if (slash >= 0) {
    if (second !== undefined) throw fail(`give either "${first}" or a kind and a name, not both`);
    const name = first.slice(slash + 1);
    if (!name) throw fail(`"${first}" names no run`);
    return { kind: parseKind(first.slice(0, slash)), name };
  }
  if (second === undefined) throw fail(`which ${parseKind(first)}? give its name: <kind> <name>`);
  return { kind: parseKind(first), name: second };
}
