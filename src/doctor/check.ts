// What a check is and what it finds: each finding says what is wrong and the command that fixes it,
// as `cmctl check api` and `tkn`'s checks do, so a user never has to guess the next step.
import type { ControllerConfig } from '../api/index.js';
import type { ApiRequester, KubeObject } from '../runtime/index.js';

export type Severity = 'error' | 'warning' | 'ok';

export interface DoctorFinding {
  /** The check's name (e.g. `crds`). */
  check: string;
  severity: Severity;
  message: string;
  /** A command (or two) that fixes it; none on `ok`. */
  fix?: string;
}

/** The attributes of one access question, as a SubjectAccessReview's resourceAttributes. */
export interface AccessAttributes {
  group: string;
  resource: string;
  verb: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** What every check reads: the cluster, the config in force, and what the package ships. */
export interface DoctorContext {
  client: ApiRequester;
  config: ControllerConfig;
  /** The operator's own namespace (its Secrets, Roles, Lease). */
  namespace: string;
  /** The namespaces where runs live that the checks look into (the config's list, else the caller's). */
  runNamespaces: readonly string[];
  /** The manager's ServiceAccount, `system:serviceaccount:{ns}:{name}` to RBAC. */
  serviceAccount: { namespace: string; name: string };
  /** Whether the manager may do this: a SubjectAccessReview for it, or its own SelfSubjectAccessReview. */
  can(attrs: AccessAttributes): Promise<boolean>;
  /** The package's manifests (crds/, webhooks/, config/rbac, config/agents), read without kustomize. */
  shipped: {
    crds: readonly KubeObject[];
    webhooks: readonly KubeObject[];
    rbac: readonly KubeObject[];
    sandbox: readonly KubeObject[];
  };
  /**
   * GitHub, for the checks that ask it (the Apps' installations): its REST API and the repositories
   * (owner/repo) the runs will work on. Absent: those checks are skipped.
   */
  github?: { apiUrl: string; repositories: readonly string[]; fetch?: typeof fetch };
  /** A manager starting is asked fewer questions (it cannot round-trip its own webhooks yet). */
  atStart: boolean;
  now: Date;
}

export interface DoctorCheck {
  name: string;
  /** One line for `doctor --help` and the docs. */
  description: string;
  run(ctx: DoctorContext): Promise<DoctorFinding[]>;
}

export const ok = (check: string, message: string): DoctorFinding => ({ check, severity: 'ok', message });
export const problem = (
  check: string,
  severity: 'error' | 'warning',
  message: string,
  fix: string,
): DoctorFinding => ({ check, severity, message, fix });
