// The shorthands a run may be written with, made explicit: a repository written `org/repo` (the form
// of the multi-agent workflow parameters) is `https://{github.host}/org/repo`, and a model alias of the
// controller config (`opus`) is its full model id. One implementation for every path a run takes: the
// mutating webhook stores the explicit form (a `replace` in its patch), `orchestrator validate` shows
// it, and the reconciler's `defaulted()` applies it to a run admitted without the webhooks
// (docs/design.md §7).
//
// Like defaulting, the input may be any JSON: a value that is not a shorthand is left as written, for
// validation to judge.
import type { RunKindName } from './kinds.js';
import type { ControllerConfig } from './types.js';

type Obj = Record<string, unknown>;

/** `org/repo`: a GitHub owner (letters, digits, hyphens) and a repository name. The schemas' URL patterns repeat it. */
export const ORG_REPO = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

/** The spec fields of each kind that hold a repository URL, as paths of keys. */
export const REPOSITORY_URL_FIELDS: Record<RunKindName, readonly (readonly string[])[]> = {
  TaskRun: [['repository', 'url']],
  CodeRun: [['repositoryUrl'], ['docsRepositoryUrl']],
  DocsRun: [['repositoryUrl']],
};

/** One shorthand replaced: where (spec-relative keys), what was written, what it stands for. */
export interface Normalisation {
  path: readonly string[];
  from: string;
  to: string;
  /** What kind of shorthand it was. */
  what: 'repository' | 'model-alias';
}

const own = (record: Record<string, string> | undefined, key: string): string | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;

/** `org/repo` → `https://{host}/org/repo`; anything else is not a shorthand (undefined). */
export function expandRepository(
  value: string,
  config: Pick<ControllerConfig, 'github'>,
): string | undefined {
  if (!ORG_REPO.test(value)) return undefined;
  return `https://${config.github?.host ?? 'github.com'}/${value}`;
}

/** The full id a model alias stands for; undefined when the name is no alias (or already the id). */
export function resolveModelAlias(
  model: string,
  config: Pick<ControllerConfig, 'modelAliases'>,
): string | undefined {
  const id = own(config.modelAliases, model);
  return id === undefined || id === model ? undefined : id;
}

function at(spec: Obj, path: readonly string[]): unknown {
  let value: unknown = spec;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Obj)[key];
  }
  return value;
}

/** The shorthands in a run's spec and what each stands for (none: the spec is explicit). */
export function specNormalisations(kind: RunKindName, spec: Obj, config: ControllerConfig): Normalisation[] {
  const found: Normalisation[] = [];
  for (const path of REPOSITORY_URL_FIELDS[kind]) {
    const from = at(spec, path);
    const to = typeof from === 'string' ? expandRepository(from, config) : undefined;
    if (to !== undefined) found.push({ path, from: from as string, to, what: 'repository' });
  }
  const model = spec.model;
  const id = typeof model === 'string' ? resolveModelAlias(model, config) : undefined;
  if (id !== undefined) found.push({ path: ['model'], from: model as string, to: id, what: 'model-alias' });
  return found;
}

function setAt(spec: Obj, path: readonly string[], value: string): Obj {
  const [key, ...rest] = path as [string, ...string[]];
  return { ...spec, [key]: rest.length === 0 ? value : setAt(spec[key] as Obj, rest, value) };
}

/** The spec with its shorthands made explicit; `spec` itself when it has none. Never modifies it. */
export function normalisedSpec(kind: RunKindName, spec: Obj, config: ControllerConfig): Obj {
  let out = spec;
  for (const { path, to } of specNormalisations(kind, spec, config)) out = setAt(out, path, to);
  return out;
}
