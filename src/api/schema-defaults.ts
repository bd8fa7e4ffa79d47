// The `default:` values of a schema, applied the way the apiserver's structural defaulting applies a
// CRD's (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting): a field that is absent, or
// null without `nullable: true`, gets its default; defaulting then goes on into every object present
// (a default just applied included), into each list item by `items` and each map value by
// `additionalProperties`. So the schema is the one place those values are written (docs/design.md §1.1).
import { isPlainObject } from '../util/index.js';
import type { JsonSchema } from './schemas.js';

type Obj = Record<string, unknown>;

/** A schema cut down to the paths that hold a default: nothing else is walked. */
export interface DefaultTree {
  default?: unknown;
  nullable?: boolean;
  properties?: Record<string, DefaultTree>;
  items?: DefaultTree;
  additionalProperties?: DefaultTree;
}

/** The default tree of `schema`, or undefined when no default is set anywhere in it. */
export function defaultTree(schema: JsonSchema): DefaultTree | undefined {
  const tree: DefaultTree = {};
  let found = schema.default !== undefined;
  if (found) tree.default = schema.default;
  if (schema.nullable === true) tree.nullable = true;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const child = defaultTree(sub);
    if (!child) continue;
    tree.properties ??= {};
    tree.properties[key] = child;
    found = true;
  }
  for (const part of ['items', 'additionalProperties'] as const) {
    const sub = schema[part];
    const child = isPlainObject(sub) ? defaultTree(sub as JsonSchema) : undefined;
    if (!child) continue;
    tree[part] = child;
    found = true;
  }
  return found ? tree : undefined;
}

/** Whether a member counts as absent: undefined, or null where the schema does not allow null. */
const absent = (value: unknown, tree: DefaultTree) =>
  value === undefined || (value === null && !tree.nullable);

/**
 * `value` with the defaults of `tree` applied; never modifies it, and returns `value` itself when
 * nothing was missing (a subtree without a change is shared, not copied). A value of the wrong type
 * is left alone: it is the validator's to refuse.
 */
export function withSchemaDefaults(value: unknown, tree: DefaultTree): unknown {
  if (Array.isArray(value)) {
    const items = tree.items;
    if (!items) return value;
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = withSchemaDefaults(item, items);
      if (next === item) return;
      out ??= [...value];
      out[i] = next;
    });
    return out ?? value;
  }
  if (!isPlainObject(value)) return value;
  let out: Obj | undefined;
  const set = (key: string, next: unknown) => {
    out ??= { ...value };
    out[key] = next;
  };
  for (const [key, sub] of Object.entries(tree.properties ?? {})) {
    const current = Object.hasOwn(value, key) ? value[key] : undefined;
    const filled = sub.default !== undefined && absent(current, sub) ? structuredClone(sub.default) : current;
    const next = withSchemaDefaults(filled, sub);
    if (next !== current) set(key, next);
  }
  const rest = tree.additionalProperties;
  if (rest)
    for (const key of Object.keys(value)) {
      if (tree.properties && Object.hasOwn(tree.properties, key)) continue;
      const next = withSchemaDefaults(value[key], rest);
      if (next !== value[key]) set(key, next);
    }
  return out ?? value;
}
