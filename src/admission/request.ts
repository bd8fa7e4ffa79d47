// What the admission pipeline decides on, and what it answers: a request as the apiserver describes it
// (who asked, the object, the operation) and the decision with its patch. The webhook's wire format
// (src/webhook/review.ts) carries these; the REST API and the GitHub endpoint build them directly, so the
// pipeline never depends on the transport.

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  /** Who asked, as the apiserver authenticated them (what a SubjectAccessReview about them needs). */
  userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  object?: Record<string, unknown>;
  oldObject?: Record<string, unknown> | null;
  dryRun?: boolean;
}

/**
 * What the transport proved about who posted a review. Only a caller with a client certificate of the
 * webhook's client CA is known to be the apiserver; anyone else who reaches the port may have posted
 * it, with any userInfo, so an answer to them names no one's permissions (reference-denial.ts).
 */
export interface ReviewCaller {
  apiserver: boolean;
  /**
   * The client address that posted it, and whether it is a trusted source (the control plane's
   * ranges, or proven by certificate): an untrusted address's SubjectAccessReviews are held to its
   * share of the budget. Absent (in process): the whole budget.
   */
  source?: { address: string; trusted: boolean };
}

/** One JSON Patch (RFC 6902) operation; the mutating webhook emits `add`, and `replace` for a shorthand. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** What a handler decides. A denial names the rule that denied, for the low-cardinality metric. */
export type AdmissionResult =
  | { allowed: true; patch?: PatchOperation[]; warnings?: string[] }
  | {
      allowed: false;
      message: string;
      rule: string;
      /** How many findings the denial reports (for the log line, which carries no message). */
      findings?: number;
      code?: number;
      reason?: string;
      warnings?: string[];
      /** What the answer withholds from its caller: logged with the review's line, never sent. */
      logDetail?: { correlation: string; message: string };
    };
