// The admission pipeline run offline (`orchestrator validate`), in the apiserver's order: schema
// defaults, then our defaulting webhook, then schema and rule validation. Fields the schema does not
// declare are errors here, because the apiserver would silently drop them.

import type { PatchOperation } from '../admission/request.js';
import {
  type ControllerConfig,
  defaulted,
  GROUP,
  loadSchemas,
  RUN_KIND_NAMES,
  type RunKindName,
  specWithSchemaDefaults,
} from '../api/index.js';
import { isPlainObject } from '../util/index.js';
import type { Finding } from '../validation/index.js';
import { unknownFields } from '../validation/index.js';
import { defaultingWarnings, defaultsPatch } from './defaults.js';
import { referencesToCheck, specOf, uncheckedText } from './references/index.js';
import { validateRun } from './validate-run.js';

export interface OfflineResult {
  kind: RunKindName;
  name: string;
  findings: Finding[];
  /** Schema defaults and webhook defaults, as the JSON Patch the webhook would return (webhook part). */
  patch: PatchOperation[];
  /** The object as it would be stored. */
  admitted: Record<string, unknown>;
  /**
   * The reference checks admission makes and this cannot (RBAC's answer for the submitter,
   * references/): one line each, naming the field, the object and the permission.
   */
  unchecked: string[];
}

let schemas: ReturnType<typeof loadSchemas> | undefined;
const kindSchema = (kind: RunKindName) => {
  schemas ??= loadSchemas();
  return schemas[kind];
};

/** The object with the CRD's defaults, as the apiserver stores it before calling the webhook. */
function withSchemaDefaults(kind: RunKindName, object: Record<string, unknown>): Record<string, unknown> {
  return isPlainObject(object.spec) ? { ...object, spec: specWithSchemaDefaults(kind, object.spec) } : object;
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
  const unknown = unknownFields(doc, kindSchema(kind));
  const withSchema = withSchemaDefaults(kind, doc);
  const patch = defaultsPatch(kind, withSchema, config);
  const admitted = defaulted(kind, withSchema, config);
  const findings = [
    ...unknown,
    ...defaultingWarnings(kind, withSchema, config),
    ...validateRun({ kind, object: admitted, operation: 'CREATE', config, localTools }),
  ];
  const metadata = doc.metadata as { namespace?: unknown } | undefined;
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined;
  const unchecked = referencesToCheck({ kind, spec: specOf(admitted), config, namespace }).map((c) =>
    uncheckedText(c, namespace),
  );
  return { kind, name, findings, patch, admitted, unchecked };
}
