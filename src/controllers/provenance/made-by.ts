// The adoption rule (docs/decisions/0069-made-by-the-operator.md): an object under one of a run's
// names is the run's only when the operator made it for that run. The run's status, which only the
// manager writes, records the uid of the current attempt's Job and ConfigMap; an object of a recorded
// name must have that uid. Between the create and the status write that records it (a reconcile
// later, or a crash later), the object must carry the operator's seal (seal.ts) for the run.
import type { RunStatus } from '../../api/index.js';
import { type KubeObject, ownedBy } from '../../runtime/index.js';
import { SEAL_ANNOTATION, type Seal } from './seal.js';

/** The kinds of object the operator makes per attempt and records in the run's status. */
export type AttemptObjectKind = 'Job' | 'ConfigMap';

/** The uid the status records for the `kind` named `name`, when it records that name. */
export function recordedUid(
  status: RunStatus | undefined,
  kind: string,
  name: string | undefined,
): string | undefined {
  if (kind === 'Job') return status?.jobName === name ? status?.jobUid : undefined;
  if (kind === 'ConfigMap') return status?.configMapName === name ? status?.configMapUid : undefined;
  return undefined;
}

/** The run an object is checked against: its uid and its status as stored. */
export interface RunRecord {
  uid: string | undefined;
  status?: RunStatus | undefined;
}

/** Why `obj` (a `kind`) is not the run's; undefined when the operator made it for the run. */
export function notMadeFor(obj: KubeObject, kind: string, run: RunRecord, seal: Seal): string | undefined {
  if (!ownedBy(obj, run.uid)) {
    const owner = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
    return owner ? `it is controlled by ${owner.kind} ${owner.name}` : 'it has no controller';
  }
  const uid = recordedUid(run.status, kind, obj.metadata?.name);
  if (uid !== undefined)
    return uid === obj.metadata?.uid
      ? undefined
      : `its uid is not the ${kind} the operator made, ${uid}, as the run's status records it`;
  return seal.sealed(obj, kind, run.uid ?? '')
    ? undefined
    : `the operator did not make it (its ${SEAL_ANNOTATION} annotation is not the operator's seal for this run)`;
}
