// The objects a run makes its agent's pod use, and what its submitter must be allowed on each: ONE
// table, a row per spec field (→ API group, resource, the permissions any one of which suffices, the
// names). The operator creates the pod, so without this whoever may create a run could have it read
// any Secret of the namespace, run as any ServiceAccount or mount any claim (a confused deputy). What
// the operator itself chose (the agent profile's ServiceAccount, the run's own workspace, the
// platform's Secrets of the controller config) needs no check. Another reference is one more row. The
// rows live in files of their own: the namespace's objects (namespace.ts) and the powers the operator
// holds, on virtual resources of the API group (agentprofiles, repositories, images: agent-profiles.ts,
// repositories.ts, platform.ts). The field classification (src/admission/fields/table.ts) names these
// rows for its authorised fields, so what it says is asked is what is asked.
// The design: docs/security.md, docs/design.md §7.
import { isPlainObject } from '../../util/index.js';
import { AGENT_PROFILE_REFERENCE } from './agent-profiles.js';
import { MCP_SECRET_REFERENCE } from './mcp-servers.js';
import {
  CLAIM_REFERENCE,
  ENV_SECRET_REFERENCE,
  GITHUB_USER_REFERENCE,
  SERVICE_ACCOUNT_REFERENCE,
} from './namespace.js';
import { IMAGE_REFERENCE, PRIORITY_CLASS_REFERENCE } from './platform.js';
import { REPOSITORY_REFERENCE } from './repositories.js';
import type { Named, Reference, RunView } from './row.js';

export type { Named, Permission, Reference, RunView } from './row.js';

type Obj = Record<string, unknown>;

export const REFERENCES: readonly Reference[] = [
  ENV_SECRET_REFERENCE,
  GITHUB_USER_REFERENCE,
  MCP_SECRET_REFERENCE,
  SERVICE_ACCOUNT_REFERENCE,
  CLAIM_REFERENCE,
  AGENT_PROFILE_REFERENCE,
  REPOSITORY_REFERENCE,
  IMAGE_REFERENCE,
  PRIORITY_CLASS_REFERENCE,
];

/** One object to check: the row that names it, where, and its name. */
export interface ReferenceCheck extends Named {
  reference: Reference;
}

const identity = (reference: Reference, name: string) => `${reference.field}\0${name}`;

/**
 * What the run names that needs a check. With the stored run (an UPDATE), only what it did not already
 * name in the same field: that was checked when it was added (a list reordered asks nothing).
 */
export function referencesToCheck(run: RunView, stored?: RunView): ReferenceCheck[] {
  const known = new Set(
    stored ? REFERENCES.flatMap((r) => r.named(stored).map((n) => identity(r, n.name))) : [],
  );
  return REFERENCES.flatMap((reference) =>
    reference
      .named(run)
      .filter((n) => !known.has(identity(reference, n.name)))
      .map((n) => ({ reference, ...n })),
  );
}

/** The run's spec from an object of any shape (the table reads every field guardedly). */
export const specOf = (object: unknown): Obj =>
  isPlainObject(object) && isPlainObject(object.spec) ? object.spec : {};
