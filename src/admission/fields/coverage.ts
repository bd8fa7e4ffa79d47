// Holds the classification (table.ts) to the schemas: every field of every run kind's spec has a row
// (its own or an ancestor's), and every row names a field that exists. Run by the tests against the
// real schemas, so a field added to a schema without a row is a failing test, not an unjudged power.
import { type JsonSchema, loadSchema, RUN_KIND_NAMES, type RunKindName } from '../../api/index.js';
import type { FieldRow } from './classes.js';

/** Every field path under a kind's spec, with `[]` for a list's items: `spec.envFromSecrets[].name`. */
export function specPaths(spec: JsonSchema, prefix = 'spec'): string[] {
  const out: string[] = [];
  const walk = (node: JsonSchema | undefined, path: string): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      out.push(`${path}.${key}`);
      walk(child, `${path}.${key}`);
    }
    if (node.items && typeof node.items === 'object') walk(node.items, `${path}[]`);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`);
  };
  walk(spec, prefix);
  return out;
}

/** Whether `row` covers `path` of `kind`: the row's field or one under it. */
export const covers = (row: FieldRow, kind: RunKindName, path: string): boolean =>
  (row.kinds === undefined || row.kinds.includes(kind)) &&
  (path === row.path ||
    path.startsWith(`${row.path}.`) ||
    path.startsWith(`${row.path}[]`) ||
    path.startsWith(`${row.path}{}`));

/** The row that classifies `path` of `kind`: the most specific (longest) of those covering it. */
export function rowFor(rows: readonly FieldRow[], kind: RunKindName, path: string): FieldRow | undefined {
  let best: FieldRow | undefined;
  for (const row of rows)
    if (covers(row, kind, path) && (!best || row.path.length > best.path.length)) best = row;
  return best;
}

export interface CoverageProblem {
  kind?: RunKindName;
  path: string;
  problem: string;
}

/**
 * What the table misses or names wrongly, for the spec schemas of every kind: an unclassified field
 * (its row or an ancestor's is missing), a row whose field no kind has, two rows for one field of one kind.
 * @internal The table's completeness is held by its test (table.test.ts), not checked at run time.
 */
export function coverageProblems(
  rows: readonly FieldRow[],
  specs: Readonly<Partial<Record<RunKindName, JsonSchema>>>,
): CoverageProblem[] {
  const problems: CoverageProblem[] = [];
  const used = new Set<FieldRow>();
  for (const [kind, spec] of Object.entries(specs) as [RunKindName, JsonSchema][]) {
    const paths = specPaths(spec);
    for (const path of paths) {
      const row = rowFor(rows, kind, path);
      if (row) used.add(row);
      // An object whose every field has a row needs none of its own.
      else if (!paths.some((p) => p.startsWith(`${path}.`) || p.startsWith(`${path}[]`)))
        problems.push({
          kind,
          path,
          problem: 'no row classifies this field (src/admission/fields/table.ts)',
        });
      const twins = rows.filter((r) => r.path === path && (r.kinds === undefined || r.kinds.includes(kind)));
      if (twins.length > 1)
        problems.push({ kind, path, problem: `${twins.length} rows classify this field` });
    }
  }
  for (const row of rows)
    if (!used.has(row))
      problems.push({ path: row.path, problem: 'no run kind has this field: remove the row' });
  return problems;
}

const pathsByKind = new Map<RunKindName, ReadonlySet<string>>();

/** The kinds whose spec has the row's field (and that the row applies to), from the real schemas. */
export function kindsOf(row: FieldRow): RunKindName[] {
  return RUN_KIND_NAMES.filter((kind) => {
    let paths = pathsByKind.get(kind);
    if (!paths) {
      paths = new Set(specPaths(loadSchema(kind).properties?.spec as JsonSchema));
      pathsByKind.set(kind, paths);
    }
    return (row.kinds === undefined || row.kinds.includes(kind)) && paths.has(row.path);
  });
}
