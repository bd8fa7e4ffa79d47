// The admission pipeline run offline (`orchestrator validate`), in the apiserver's order: schema
// defaults, then our defaulting webhook, then schema and rule validation. Fields the schema does not
// declare are errors here, because the apiserver would silently drop them.
import {
  byKind,
  type ControllerConfig,
  defaulted,
  GROUP,
  loadSchemas,
  RUN_KIND_NAMES,
  type RunKindName,
} from '../api/index.js';
import type { Finding } from '../validation/finding.js';
import { createAjv, unknownFields } from '../validation/schema-validator.js';
import { defaultingWarnings, defaultsPatch } from './defaults.js';
import type { PatchOperation } from './review.js';
import { validateRun } from './validate-run.js';

export interface OfflineResult {
  kind: RunKindName;
  name: string;
  findings: Finding[];
  /** Schema defaults and webhook defaults, as the JSON Patch the webhook would return (webhook part). */
  patch: PatchOperation[];
  /** The object as it would be stored. */
  admitted: Record<string, unknown>;
}

let compiled:
  | { schemas: ReturnType<typeof loadSchemas>; defaulters: Record<RunKindName, (v: unknown) => unknown> }
  | undefined;

function schemaTools() {
  if (!compiled) {
    const schemas = loadSchemas();
    const ajv = createAjv();
    ajv.opts.useDefaults = true;
    const defaulters = byKind((k): ((v: unknown) => unknown) => ajv.compile(schemas[k]));
    compiled = { schemas, defaulters };
  }
  return compiled;
}

function withSchemaDefaults(kind: RunKindName, object: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(object);
  schemaTools().defaulters[kind](copy);
  return copy;
}

/** Whether a parsed document is one of our run resources (other documents are not ours to judge). */
export function runKindOf(doc: unknown): RunKindName | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${GROUP}/`)) return undefined;
  return RUN_KIND_NAMES.find((k) => k === kind);
}

/** @param localTools the local tools a CodeRun may name (RuleContext.localTools); undefined: not checked. */
export function admitOffline(
  kind: RunKindName,
  doc: Record<string, unknown>,
  config: ControllerConfig,
  localTools?: readonly string[],
): OfflineResult {
  const name = String((doc.metadata as { name?: unknown } | undefined)?.name ?? '<no name>');
  const unknown = unknownFields(doc, schemaTools().schemas[kind]);
  const withSchema = withSchemaDefaults(kind, doc);
  const patch = defaultsPatch(kind, withSchema, config);
  const admitted = defaulted(kind, withSchema, config);
  const findings = [
    ...unknown,
    ...defaultingWarnings(kind, withSchema, config),
    ...validateRun({ kind, object: admitted, operation: 'CREATE', config, localTools }),
  ];
  return { kind, name, findings, patch, admitted };
}
