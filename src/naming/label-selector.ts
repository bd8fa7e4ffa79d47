// The label selector syntax of the apiserver (apimachinery's labels.Parse), checked offline so that a
// config with a bad namespaceSelector is refused when it is loaded, naming the requirement at fault,
// instead of failing every list of namespaces later; and the same syntax evaluated against labels.
import { isLabelValue, qualifiedNameProblem } from './names.js';

// `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, `key>3`, `key<3`.
const EXISTS = /^(!?)\s*([^\s=!<>(),]+)$/;
const COMPARE = /^([^\s=!<>(),]+)\s*(==|=|!=|<|>)\s*([^\s=!<>(),]*)$/;
const SET = /^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/;

/** The selector's requirements: split on the commas outside parentheses. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim());
}

function valueProblem(value: string): string | undefined {
  return isLabelValue(value)
    ? undefined
    : `"${value}" is not a label value (63 characters at most, letters, digits, "-", "_" and ".", starting and ending with a letter or digit)`;
}

function requirementProblem(req: string): string | undefined {
  if (!req) return 'an empty requirement (a stray ",")';
  const set = SET.exec(req);
  const compare = set ? undefined : COMPARE.exec(req);
  const exists = set || compare ? undefined : EXISTS.exec(req);
  const key = set?.[1] ?? compare?.[1] ?? exists?.[2];
  if (key === undefined)
    return `"${req}" is not a requirement (key, !key, key=value, key!=value, key in (a,b), key notin (a,b))`;
  const keyProblem = qualifiedNameProblem(key);
  if (keyProblem) return `the key "${key}": ${keyProblem}`;
  if (set) {
    for (const value of (set[3] ?? '').split(',').map((v) => v.trim())) {
      const problem = valueProblem(value);
      if (problem) return problem;
    }
  }
  if (compare) {
    const [, , op = '', value = ''] = compare;
    if ((op === '<' || op === '>') && !/^-?[0-9]+$/.test(value))
      return `"${req}": ${op} compares with an integer`;
    return valueProblem(value);
  }
  return undefined;
}

/** What is wrong with a label selector (the first problem), or undefined when the apiserver accepts it. */
export function labelSelectorProblem(selector: string): string | undefined {
  if (!selector.trim()) return 'the selector is empty (it would select every namespace)';
  if ((selector.match(/\(/g) ?? []).length !== (selector.match(/\)/g) ?? []).length)
    return 'unbalanced parentheses';
  for (const req of requirements(selector)) {
    const problem = requirementProblem(req);
    if (problem) return problem;
  }
  return undefined;
}

/** One requirement against a set of labels, as the apiserver evaluates it (apimachinery's labels.Selector). */
function requirementMatches(req: string, labels: Readonly<Record<string, string>>): boolean {
  const set = SET.exec(req);
  if (set) {
    const [, key = '', op, values = ''] = set;
    const has = Object.hasOwn(labels, key);
    const inSet =
      has &&
      values
        .split(',')
        .map((v) => v.trim())
        .includes(labels[key] ?? '');
    return op === 'in' ? inSet : !inSet;
  }
  const compare = COMPARE.exec(req);
  if (compare) {
    const [, key = '', op, value = ''] = compare;
    const has = Object.hasOwn(labels, key);
    const actual = labels[key] ?? '';
    if (op === '!=') return !has || actual !== value;
    if (op === '=' || op === '==') return has && actual === value;
    const n = Number.parseInt(actual, 10);
    return has && /^-?[0-9]+$/.test(actual) && (op === '>' ? n > Number(value) : n < Number(value));
  }
  const exists = EXISTS.exec(req);
  const [, not, key = ''] = exists ?? [];
  return not ? !Object.hasOwn(labels, key) : Object.hasOwn(labels, key);
}

/**
 * Whether `labels` match `selector` (a selector labelSelectorProblem accepts): every requirement holds.
 * Evaluated here rather than by the apiserver when one cache of namespaces serves several selectors.
 */
export function labelSelectorMatches(
  selector: string,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  return requirements(selector).every((req) => requirementMatches(req, labels));
}
