// The webhook endpoints: one mutating and one validating per kind, wired to defaulting and validation.

import type { AdmissionRequest, AdmissionResult, ReviewCaller } from '../admission/index.js';
import {
  defaultingWarnings,
  defaultsPatch,
  denialMessage,
  OutsiderSenders,
  type ReferenceAccess,
  reviewControls,
  reviewReferences,
  reviewSteering,
  submitterPatch,
  validateRun,
} from '../admission/index.js';
import type { ConfigSource } from '../api/index.js';
import { GROUP, kindFacts, RUN_KIND_NAMES, type RunKindName } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import { tracingEnabled } from '../observability/index.js';
import { countFindings, reportFindings, truncate } from '../validation/index.js';
import { tracedReview } from './review-spans.js';
import type { WebhookRoute } from './server.js';

/** A kind's webhook path (kubebuilder's convention), from the kind table. */
export const webhookPath = (verb: 'mutate' | 'validate', kind: RunKindName): string =>
  kindFacts(kind).webhooks[verb].path;

function applicable(request: AdmissionRequest, kind: RunKindName): 'yes' | 'skip' | string {
  if (request.kind.kind !== kind || request.kind.group !== GROUP) {
    return `this endpoint serves ${GROUP} ${kind}, not ${truncate(`${request.kind.group}/${request.kind.kind}`, 253)}`;
  }
  // The status subresource belongs to the controller: never mutated, never re-validated here.
  if (request.subResource) return 'skip';
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return 'skip';
  if (!request.object) return 'request.object is missing';
  return 'yes';
}

/**
 * Runs `decide` only for a CREATE or UPDATE of the main resource of `kind`; anything else is allowed
 * untouched (the status subresource belongs to the controller) or refused as a wrong endpoint.
 */
function guarded(
  kind: RunKindName,
  decide: (request: AdmissionRequest, caller: ReviewCaller) => AdmissionResult | Promise<AdmissionResult>,
) {
  return (request: AdmissionRequest, caller?: ReviewCaller): AdmissionResult | Promise<AdmissionResult> => {
    const ok = applicable(request, kind);
    if (ok === 'skip') return { allowed: true };
    if (ok !== 'yes') return { allowed: false, code: 400, rule: 'wrong-endpoint', message: ok };
    return decide(request, caller ?? { apiserver: false });
  };
}

/**
 * The schema and rules, then (an update) whether the requester may steer the run
 * (steering-review.ts) and change its controls (control-review.ts), then what the run makes its pod
 * use, asked of RBAC for the requester (reference-review.ts): only for a run valid otherwise, so an
 * invalid one costs no API call.
 */
function validation(
  kind: RunKindName,
  config: ConfigSource,
  access: ReferenceAccess,
  localTools: () => readonly string[] | undefined,
  request: AdmissionRequest,
  caller: ReviewCaller,
): AdmissionResult | Promise<AdmissionResult> {
  const current = config.current();
  const findings = validateRun({
    localTools: localTools(),
    kind,
    object: request.object,
    oldObject: request.oldObject ?? undefined,
    operation: request.operation as 'CREATE' | 'UPDATE',
    config: current,
  });
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = reportFindings(findings.filter((f) => f.severity === 'warning'));
  if (errors.length === 0) {
    const steered = reviewSteering(kind, request, access.trusted());
    if (steered) return { ...steered, warnings };
    const references = () => reviewReferences(kind, request, current, access, caller);
    const controlled = reviewControls(kind, request, access.trusted(), access.reviewer, caller);
    const checked = controlled ? controlled.then((denied) => denied ?? references()) : references();
    if (!checked) return { allowed: true, warnings };
    if (!(checked instanceof Promise)) return { ...checked, warnings };
    return checked.then((result) => ({ ...(result ?? { allowed: true }), warnings }));
  }
  return {
    allowed: false,
    code: 422,
    reason: 'Invalid',
    rule: errors[0]?.rule ?? 'schema',
    message: denialMessage(kind, request.name, errors),
    findings: countFindings(errors),
    warnings,
  };
}

function mutation(
  kind: RunKindName,
  config: ConfigSource,
  trusted: () => ReadonlySet<string>,
  request: AdmissionRequest,
): AdmissionResult {
  const object = request.object as Record<string, unknown>;
  const current = config.current();
  const warnings = reportFindings(defaultingWarnings(kind, object, current));
  return {
    allowed: true,
    patch: [...defaultsPatch(kind, object, current), ...submitterPatch(request, trusted())],
    ...(warnings.length ? { warnings } : {}),
  };
}

export interface AdmissionRoutesOptions {
  config: ConfigSource;
  /**
   * Asks RBAC whether a run's requester may use what the run names (SubjectAccessReviews, cached;
   * `referenceReviewer` builds the production one, whose timeout keeps within the webhook's).
   */
  reviewer: AccessReviewer;
  /**
   * The users whose own orchestrator.io/submitted-by is kept on CREATE, and whose runs' references
   * are not asked about here (the manager, creating runs for REST API callers it checked itself);
   * anyone else's submitted-by is replaced by their user name. Default none.
   */
  trustedSubmitters?: () => ReadonlySet<string>;
  /**
   * The local tools a CodeRun may name (the templates' tool presets, read per review: they are
   * hot-reloaded); undefined: not checked. Default: not checked.
   */
  localTools?: () => readonly string[] | undefined;
}

export function admissionRoutes(opts: AdmissionRoutesOptions): WebhookRoute[] {
  const { config } = opts;
  const trusted = opts.trustedSubmitters ?? (() => new Set<string>());
  const access: ReferenceAccess = { reviewer: opts.reviewer, trusted, outsiders: new OutsiderSenders() };
  const localTools = opts.localTools ?? (() => undefined);
  const routes = RUN_KIND_NAMES.flatMap((kind): WebhookRoute[] => [
    {
      name: `mutate-${kind.toLowerCase()}`,
      path: webhookPath('mutate', kind),
      handle: guarded(kind, (request) => mutation(kind, config, trusted, request)),
    },
    {
      name: `validate-${kind.toLowerCase()}`,
      path: webhookPath('validate', kind),
      handle: guarded(kind, (request, caller) =>
        validation(kind, config, access, localTools, request, caller),
      ),
    },
  ]);
  if (!tracingEnabled()) return routes;
  const mutating = new Set(RUN_KIND_NAMES.map((kind) => webhookPath('mutate', kind)));
  return routes.map((r) => tracedReview(r, mutating.has(r.path) ? 'mutate' : 'validate'));
}
