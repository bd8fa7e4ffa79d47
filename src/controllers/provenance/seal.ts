// Which Jobs and ConfigMaps the operator made (docs/decisions/0069-made-by-the-operator.md): an owner
// reference, a label and a name are anyone's with `edit` in the namespace, so the operator seals what it
// creates with an HMAC of the object's kind, namespace, name and its run's uid under the operator's
// signing key. Nobody without that key can seal an object; a seal copied from another object names
// that object (a name is per attempt, a run uid per run). A seal does not tell apart an object the
// operator made from one made after it was deleted with the same metadata: the uid the status records
// does (made-by.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../runtime/index.js';

/** The annotation holding the seal. */
export const SEAL_ANNOTATION = 'orchestrator.io/made-by';

/** Separates this use of the signing key from the model gateway's tokens. */
const PURPOSE = 'orchestrator.io/made-by/v1';

export interface Seal {
  /** `obj`, a `kind` (Job, ConfigMap), with its seal for the run with `runUid`. */
  stamp<T extends KubeObject>(obj: T, kind: string, runUid: string): T;
  /** Whether `obj`, a `kind`, carries the seal of the run with `runUid`. */
  sealed(obj: KubeObject, kind: string, runUid: string): boolean;
}

/** The seal under `key` (the operator's signing key, src/gateway/operator-secrets.ts). */
export function objectSeal(key: Buffer): Seal {
  // The kind is passed, not read: objects listed from the apiserver carry none.
  const mac = (obj: KubeObject, kind: string, runUid: string) => {
    const { namespace = '', name = '' } = obj.metadata ?? {};
    const fields = [PURPOSE, kind, namespace, name, runUid];
    return createHmac('sha256', key).update(fields.join('\0')).digest('base64url');
  };
  return {
    stamp(obj, kind, runUid) {
      const annotations = { ...obj.metadata?.annotations, [SEAL_ANNOTATION]: mac(obj, kind, runUid) };
      return { ...obj, metadata: { ...obj.metadata, annotations } };
    },
    sealed(obj, kind, runUid) {
      const found = Buffer.from(obj.metadata?.annotations?.[SEAL_ANNOTATION] ?? '');
      const expected = Buffer.from(mac(obj, kind, runUid));
      return !!runUid && found.length === expected.length && timingSafeEqual(found, expected);
    },
  };
}
