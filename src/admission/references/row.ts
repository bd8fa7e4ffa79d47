// The shape of a row of the reference table (table.ts): apart from the table so that rows kept in
// files of their own (agent-profiles.ts, repositories.ts) import it without importing the table.
import type { ControllerConfig, RunKindName } from '../../api/index.js';

type Obj = Record<string, unknown>;

/** A run as the table reads it: the spec as admitted (defaults filled in) and the config. */
export interface RunView {
  kind: RunKindName;
  spec: Obj;
  config: ControllerConfig;
}

/** One object a run names: the field path naming it (kubectl style) and its name. */
export interface Named {
  path: string;
  name: string;
  /** What the pod would do with this one, when the row's `use` is too general (which profile, which App). */
  use?: string;
}

/** A verb on the row's resource, or on one of its subresources. */
export interface Permission {
  verb: string;
  subresource?: string;
  /**
   * The name asked about, from the object's name, when the alternatives differ in it (a repository, or
   * its owner's `host/owner/*`): RBAC matches resourceNames exactly, so a wider grant is another name.
   */
  name?: (named: string) => string;
}

export interface Reference {
  /** The spec field, as the docs name it (a list's items as `[]`). */
  field: string;
  /** The referenced object's API group and resource (plural), as RBAC names them. */
  group: string;
  resource: string;
  /** A cluster-scoped object (a PriorityClass) is asked about without a namespace. */
  clusterScoped?: boolean;
  /** The submitter needs one of these on the named object. */
  anyOf: readonly Permission[];
  /** What the agent's pod would do with it: the denial says why the permission is asked. */
  use: string;
  /** The objects the run names in this field that need the check. */
  named(run: RunView): Named[];
}
