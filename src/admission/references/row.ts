// The shape of a row of the reference table (table.ts): apart from the table so that rows kept in
// files of their own (agent-profiles.ts, repositories.ts) import it without importing the table.
import type { ControllerConfig, RunKindName } from '../../api/index.js';

type Obj = Record<string, unknown>;

/** A run as the table reads it: the spec as admitted (defaults filled in) and the config. */
export interface RunView {
  kind: RunKindName;
  spec: Obj;
  config: ControllerConfig;
  /** The run's namespace (which of the config's MCP server groups it gets); unknown offline. */
  namespace?: string;
}

/** One object a run names: the field path naming it (kubectl style) and its name. */
export interface Named {
  path: string;
  name: string;
  /** What the pod would do with this one, when the row's `use` is too general (which profile, which App). */
  use?: string;
  /**
   * What the object is for, when its field does not say (the MCP server whose header it is): said also
   * in a denial that withholds whom RBAC refused, since it tells nothing of anyone's permissions.
   */
  note?: string;
  /** This one needs the row's `escalated` permissions instead of its `anyOf` (a restricted profile). */
  escalated?: boolean;
}

/**
 * A verb on the row's resource, or on one of its subresources; or a right on another resource that
 * implies the use (`create pods` implies mounting any claim of the namespace).
 */
export interface Permission {
  verb: string;
  subresource?: string;
  /** Another API group than the row's: a virtual resource of orchestrator.io standing for the use. */
  group?: string;
  /** Another resource than the row's (with `unnamed`: a namespace-wide right that implies this use). */
  resource?: string;
  /** Asked without a name: the right over every object of its resource in the namespace. */
  unnamed?: boolean;
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
  /**
   * What an object the row names `escalated` needs instead, and when (a restricted agent profile): a
   * grant no generated role carries, so that no list of names in a role decides it.
   */
  escalated?: { when: string; anyOf: readonly Permission[] };
  /** What the agent's pod would do with it: the denial says why the permission is asked. */
  use: string;
  /** The objects the run names in this field that need the check. */
  named(run: RunView): Named[];
}

/** The permissions one of which allows the named object: its row's, or the row's escalated ones. */
export const permissionsOf = (check: Named & { reference: Reference }): readonly Permission[] =>
  check.escalated && check.reference.escalated ? check.reference.escalated.anyOf : check.reference.anyOf;
