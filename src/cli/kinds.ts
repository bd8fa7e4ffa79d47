// The run kinds as users name them on the command line: kubectl's spellings (`agenttaskrun(s)`, `otr`,
// `agenttaskruns.orchestrator.io`) and the kinds' own (`taskrun(s)`, which kubectl leaves to Tekton,
// `taskrun.orchestrator.io`), `all`, and `kind/name` references as the commands print them.
import { KIND_HELP, lookupKind, RUN_KIND_NAMES, type RunKindName, runResource } from '../api/index.js';
import { resourcePath } from '../runtime/index.js';
import { fail } from './io.js';

export { KIND_HELP, qualifiedName } from '../api/index.js';

/** The path of a run (or, without name, of the kind's collection; without namespace, across namespaces). */
export const runPath = (kind: RunKindName, namespace?: string, name?: string) =>
  resourcePath(runResource(kind), namespace, name);

export function parseKind(word: string): RunKindName {
  const kind = lookupKind(word);
  if (!kind) throw fail(`unknown kind "${word}": use one of ${KIND_HELP}`);
  return kind;
}

/** The kinds of `get [kind]`: one kind, or every run kind for `all` (and when none is given). */
export function parseKinds(word: string | undefined): RunKindName[] {
  if (word === undefined || word === 'all') return [...RUN_KIND_NAMES];
  return [parseKind(word)];
}

export interface RunRef {
  kind: RunKindName;
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
