// Validation of a run: its schema (the same schemas/ the CRDs come from), then the semantic rules.
// The design it implements: docs/design.md §7.
import { byKind, type ControllerConfig, loadSchemas, type RunKindName } from '../api/index.js';
import type { Finding } from '../validation/index.js';
import { compileSchema, createAjv, type SchemaCheck } from '../validation/index.js';
import { RULES } from './rules/index.js';

export interface ValidationInput {
  kind: RunKindName;
  object: unknown;
  oldObject?: unknown;
  operation: 'CREATE' | 'UPDATE';
  config: ControllerConfig;
  /** The known local tools (RuleContext.localTools). */
  localTools?: readonly string[];
}

let checks: Record<RunKindName, SchemaCheck> | undefined;

function schemaChecks(): Record<RunKindName, SchemaCheck> {
  if (!checks) {
    const schemas = loadSchemas();
    const ajv = createAjv();
    checks = byKind((k) => compileSchema(schemas[k], ajv));
  }
  return checks;
}

/** Every finding at once: schema violations first, then rule findings (errors and warnings). */
export function validateRun(input: ValidationInput): Finding[] {
  const findings = schemaChecks()[input.kind](input.object);
  const ctx = {
    object: input.object,
    oldObject: input.oldObject,
    operation: input.operation,
    config: input.config,
    localTools: input.localTools,
  };
  // Appended one by one: a rule can return a hundred thousand findings, too many to spread.
  for (const rule of RULES[input.kind]) for (const finding of rule(ctx)) findings.push(finding);
  return findings;
}
