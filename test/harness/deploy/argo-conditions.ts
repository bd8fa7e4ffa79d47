// Argo's resource-template conditions (`successCondition`, `failureCondition`), parsed strictly and
// evaluated against an object. Argo reads them with Kubernetes' label-selector parser (a comma
// separated list of requirements, all of which must hold) whose keys are paths into the object's
// JSON: `status.phase == Succeeded`, `status.phase in (Failed)`, `!status.message`.

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!';

export interface Requirement {
  /** A dotted path into the object, e.g. `status.phase`. */
  key: string;
  operator: Operator;
  values: string[];
}

// A label key (an optional DNS prefix and `/`, then a name) and a label value, as the parser demands.
const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The requirements, separated by commas that are not inside a value list. */
function split(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function requirement(part: string, text: string): Requirement {
  const bad = (why: string) =>
    new Error(`condition ${JSON.stringify(text)}: ${JSON.stringify(part)}: ${why}`);
  const key = (k: string) => {
    if (!KEY.test(k)) throw bad(`${JSON.stringify(k)} is not a valid key`);
    return k;
  };
  const value = (v: string) => {
    if (!VALUE.test(v)) throw bad(`${JSON.stringify(v)} is not a valid value`);
    return v;
  };
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
  if (set) {
    const values = (set[3] as string).split(',').map((v) => value(v.trim()));
    return { key: key(set[1] as string), operator: set[2] as Operator, values };
  }
  const compare = /^([^\s=!]+)\s*(==|!=|=)\s*(\S*)$/.exec(part);
  if (compare)
    return {
      key: key(compare[1] as string),
      operator: compare[2] as Operator,
      values: [value(compare[3] as string)],
    };
  if (part.startsWith('!')) return { key: key(part.slice(1).trim()), operator: '!', values: [] };
  if (/^\S+$/.test(part)) return { key: key(part), operator: 'exists', values: [] };
  throw bad(
    'expected `key`, `!key`, `key = value`, `key == value`, `key != value` or `key in|notin (values)`',
  );
}

/** The requirements of a condition; throws naming the part that is not one. */
export function parseCondition(text: string): Requirement[] {
  if (!text.trim()) throw new Error('empty condition');
  return split(text).map((part) => requirement(part, text));
}

/** The value at a dotted path (`status.phase`, `spec.arguments.parameters.0.value`), or undefined. */
export function fieldAt(object: unknown, path: string): unknown {
  let node = object;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node ?? undefined;
}

function holds(req: Requirement, object: unknown): boolean {
  // Compared as Argo does: a scalar's text.
  const field = fieldAt(object, req.key);
  const found = field === undefined ? undefined : String(field);
  switch (req.operator) {
    case 'exists':
      return found !== undefined;
    case '!':
      return found === undefined;
    case '=':
    case '==':
    case 'in':
      return found !== undefined && req.values.includes(found);
    case '!=':
    case 'notin':
      // As for labels: an absent field is not any of the values.
      return found === undefined || !req.values.includes(found);
  }
}

/** Whether every requirement of `condition` holds for `object`: how Argo reads a successCondition. */
export function conditionHolds(condition: string, object: unknown): boolean {
  return parseCondition(condition).every((req) => holds(req, object));
}

/**
 * Whether any requirement of `condition` holds for `object`: how Argo reads a failureCondition (its
 * executor fails the step on the first requirement that matches, workflow/executor/resource.go).
 */
export function failureHolds(condition: string, object: unknown): boolean {
  return parseCondition(condition).some((req) => holds(req, object));
}
