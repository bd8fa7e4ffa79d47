// kubectl's table for the run kinds: the CRD's additionalPrinterColumns (read from crds/, the generated
// manifests, so a column added to a schema shows here with no code change), NAME first (NAMESPACE before
// it with -A), priority-1 columns only with -o wide, `date` columns as ages, columns padded by 3 spaces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { crdName, type RunKindName } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';
import { age } from './duration.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
}

interface Crd {
  spec: { versions: { name: string; additionalPrinterColumns?: PrinterColumn[] }[] };
}

const cache = new Map<RunKindName, PrinterColumn[]>();

export function printerColumns(kind: RunKindName): PrinterColumn[] {
  let columns = cache.get(kind);
  if (!columns) {
    const file = join(packageRoot(), 'crds', `${crdName(kind)}.yaml`);
    const crd = parse(readFileSync(file, 'utf8')) as Crd;
    columns = crd.spec.versions.find((v) => v.name === 'v1')?.additionalPrinterColumns ?? [];
    cache.set(kind, columns);
  }
  return columns;
}

/** The value at a simple JSONPath (`.spec.taskId`, `.metadata.labels['a/b']`); undefined when absent. */
export function jsonPathValue(object: unknown, path: string): unknown {
  const steps = [...path.matchAll(/\.([A-Za-z0-9_-]+)|\[['"]([^'"]+)['"]\]|\[(\d+)\]/g)].map(
    (m) => m[1] ?? m[2] ?? Number(m[3]),
  );
  let value: unknown = object;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

/** A cell as kubectl shows it: dates as ages, absent values empty, objects as JSON. */
export function cell(value: unknown, type: string, now: number): string {
  if (value === undefined || value === null) return type === 'date' ? '<unknown>' : '';
  if (type === 'date') return age(String(value), now);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface TableOptions {
  wide?: boolean;
  allNamespaces?: boolean;
  /** Prefix names with `kind.group/` (as kubectl does when listing several kinds). */
  qualify?: string;
  now?: number;
}

/** The rows, header first. */
export function tableRows(
  kind: RunKindName,
  items: readonly KubeObject[],
  opts: TableOptions = {},
): string[][] {
  const now = opts.now ?? Date.now();
  const columns = printerColumns(kind).filter((c) => opts.wide || !c.priority);
  const header = [
    ...(opts.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    ...columns.map((c) => c.name.toUpperCase()),
  ];
  const rows = items.map((item) => [
    ...(opts.allNamespaces ? [item.metadata?.namespace ?? ''] : []),
    `${opts.qualify ? `${opts.qualify}/` : ''}${item.metadata?.name ?? ''}`,
    ...columns.map((c) => cell(jsonPathValue(item, c.jsonPath), c.type, now)),
  ]);
  return [header, ...rows];
}

/** The width of each column: its widest cell. */
export function columnWidths(rows: readonly string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) for (const [i, c] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return widths;
}

/**
 * Left-aligned columns separated by three spaces, trailing spaces trimmed (kubectl's tabwriter); `widths`
 * keeps later rows in the columns of earlier ones (`get -w`).
 */
export function formatTable(rows: readonly string[][], widths = columnWidths(rows)): string {
  return rows
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
        .join('')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
