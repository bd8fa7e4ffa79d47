// Declarations for scripts/generate.js (plain JavaScript so that it runs before any build), for the
// TypeScript tests that call it. Keep in step with the JSDoc there.

// biome-ignore lint/suspicious/noExplicitAny: schemas and CRDs are free-form JSON, read by tests
export type JsonSchema = Record<string, any>;
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}
export interface CrdInfo {
  kind: string;
  plural: string;
  singular: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
  printerColumns?: PrinterColumn[];
  order: number;
  finalizer: string;
  attemptField?: string;
  templateDir: string;
  serviceField?: string;
  taskIdField?: string;
}
export interface SourceSchema {
  name: string;
  file: string;
  schema: JsonSchema;
  crd: CrdInfo | undefined;
  /** The schema as written, its shared-fragment references kept (readSchemas sets it). */
  raw?: JsonSchema;
}
export interface StaleFile {
  path: string;
  reason: 'missing' | 'changed' | 'unexpected';
}

export const GROUP: 'orchestrator.io';
export const VERSION: 'v1';
export const CRD_EXTENSION: 'x-orchestrator-crd';
export const CONFIG_SCHEMA_FILE: 'controller-config.schema.yaml';
export const CRD_DIR: 'crds';
export const TYPES_DIR: 'src/api/generated';
export const ROOT_DIR: string;

export function generatedHeader(sourceFile: string): string;
export function splitSchema(parsed: JsonSchema): { schema: JsonSchema; crd: CrdInfo | undefined };
export function parseSchema(file: string, text: string): SourceSchema;
export function typeNameOf(file: string): string;
export function readSchemas(rootDir: string): SourceSchema[];
export function buildCrd(schema: JsonSchema, crd: CrdInfo): JsonSchema;
export function renderCrd(source: SourceSchema): string;
export function crdPath(crd: CrdInfo): string;
export function typesPath(file: string): string;
export function generate(rootDir: string): Promise<Map<string, string>>;
export function findUnexpected(rootDir: string, outputs: Map<string, string>): string[];
export function findStale(rootDir: string, outputs: Map<string, string>): StaleFile[];
export function writeOutputs(rootDir: string, outputs: Map<string, string>): string[];
export function main(args: string[], rootDir?: string): Promise<number>;
