// The webhook endpoints: one mutating and one validating per kind, wired to defaulting and validation.
import { GROUP, kindFacts, RUN_KIND_NAMES, type RunKindName } from '../api/index.js';
import type { ConfigSource } from '../config/watch.js';
import { tracingEnabled } from '../observability/tracing.js';
import { countFindings, type Finding, reportFindings, truncate } from '../validation/finding.js';
import { defaultingWarnings, defaultsPatch } from './defaults.js';
import type { AdmissionRequest, AdmissionResult } from './review.js';
import { tracedReview } from './review-spans.js';
import type { WebhookRoute } from './server.js';
import { submitterPatch } from './submitter.js';
import { validateRun } from './validate-run.js';

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
 * `TaskRun.orchestrator.io "demo" is invalid: [a, b]`: the apiserver's own shape, familiar from kubectl.
 * Bounded: at most REPORTED_FINDINGS findings (then `… and N more`), each and the name cut short.
 */
export function denialMessage(kind: RunKindName, name: string | undefined, errors: Finding[]): string {
  const list = reportFindings(errors);
  const body = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return `${kind}.${GROUP} "${truncate(name ?? '', 253)}" is invalid: ${body}`;
}

/**
 * Runs `decide` only for a CREATE or UPDATE of the main resource of `kind`; anything else is allowed
 * untouched (the status subresource belongs to the controller) or refused as a wrong endpoint.
 */
function guarded(kind: RunKindName, decide: (request: AdmissionRequest) => AdmissionResult) {
  return (request: AdmissionRequest): AdmissionResult => {
    const ok = applicable(request, kind);
    if (ok === 'skip') return { allowed: true };
    if (ok !== 'yes') return { allowed: false, code: 400, rule: 'wrong-endpoint', message: ok };
    return decide(request);
  };
}

function validation(
  kind: RunKindName,
  config: ConfigSource,
  localTools: () => readonly string[] | undefined,
  request: AdmissionRequest,
): AdmissionResult {
  const findings = validateRun({
    localTools: localTools(),
    kind,
    object: request.object,
    oldObject: request.oldObject ?? undefined,
    operation: request.operation as 'CREATE' | 'UPDATE',
    config: config.current(),
  });
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = reportFindings(findings.filter((f) => f.severity === 'warning'));
  if (errors.length === 0) return { allowed: true, warnings };
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

/**
 * @param trustedSubmitters the users whose own orchestrator.io/submitted-by is kept on CREATE (the
 * manager, creating runs for REST API callers); anyone else's is replaced by their user name.
 * @param localTools the local tools a CodeRun may name (the templates' tool presets, read per review:
 * they are hot-reloaded); undefined: not checked.
 */
export function admissionRoutes(
  config: ConfigSource,
  trustedSubmitters: () => ReadonlySet<string> = () => new Set(),
  localTools: () => readonly string[] | undefined = () => undefined,
): WebhookRoute[] {
  const routes = RUN_KIND_NAMES.flatMap((kind): WebhookRoute[] => [
    {
      name: `mutate-${kind.toLowerCase()}`,
      path: webhookPath('mutate', kind),
      handle: guarded(kind, (request) => mutation(kind, config, trustedSubmitters, request)),
    },
    {
      name: `validate-${kind.toLowerCase()}`,
      path: webhookPath('validate', kind),
      handle: guarded(kind, (request) => validation(kind, config, localTools, request)),
    },
  ]);
  if (!tracingEnabled()) return routes;
  const mutating = new Set(RUN_KIND_NAMES.map((kind) => webhookPath('mutate', kind)));
  return routes.map((r) => tracedReview(r, mutating.has(r.path) ? 'mutate' : 'validate'));
}
