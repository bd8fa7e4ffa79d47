// The template helpers. Each is a pure function of its arguments (the Handlebars options object is
// the last argument and is stripped), so they are tested without a template.
import type { HelperOptions } from 'handlebars';
import { shellQuote, shellWords } from './shell.js';
import { unwrap } from './strict-context.js';

type Helper = (...args: unknown[]) => unknown;

/** Handlebars appends an options object to every helper call; helpers see only the real arguments. */
function split(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  const options = args[args.length - 1] as HelperOptions;
  return { values: args.slice(0, -1).map(unwrap), options };
}

/** Handlebars' own notion of truth (as in #if): an empty array is false too. */
export const truthy = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : Boolean(v) || v === 0);

function arity(name: string, values: unknown[], n: number): void {
  if (values.length !== n) throw new Error(`helper ${name} takes ${n} argument(s), got ${values.length}`);
}

const fixed =
  (name: string, n: number, fn: (...values: unknown[]) => unknown): Helper =>
  (...args) => {
    const { values } = split(args);
    arity(name, values, n);
    return fn(...values);
  };

function json(...args: unknown[]): string {
  const { values, options } = split(args);
  arity('json', values, 1);
  const indent = options.hash?.indent;
  const text = JSON.stringify(values[0], null, typeof indent === 'number' ? indent : undefined);
  if (text === undefined)
    throw new Error('helper json: the value has no JSON form (undefined or a function)');
  return text;
}

function join(...args: unknown[]): string {
  const { values } = split(args);
  arity('join', values, 2);
  const [list, separator] = values;
  if (!Array.isArray(list)) throw new Error('helper join: the first argument must be an array');
  return list.map(String).join(String(separator));
}

function strings(name: string, values: unknown[]): string[] {
  return values.map((v) => {
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw new Error(`helper ${name}: arguments must be strings or numbers, got ${typeof v}`);
  });
}

/**
 * `text` made safe to quote between `<tag>` and `</tag>` in a prompt: every opening or closing tag of
 * that name inside it (any case, spacing or attributes) has its `<` written `&lt;`, so text from GitHub
 * cannot close the frame and speak as the prompt (docs/security.md).
 */
export function framed(text: string, tag: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(tag)) throw new Error(`helper framed: "${tag}" is not a tag name`);
  return text.replace(new RegExp(`<(\\s*/?\\s*${tag}(?![A-Za-z0-9_-]))`, 'gi'), '&lt;$1');
}

/** The helpers registered in every template environment, by name. */
export const helpers: Readonly<Record<string, Helper>> = Object.freeze({
  eq: fixed('eq', 2, (a, b) => a === b),
  ne: fixed('ne', 2, (a, b) => a !== b),
  not: fixed('not', 1, (a) => !truthy(a)),
  and: (...args: unknown[]) => split(args).values.every(truthy),
  or: (...args: unknown[]) => split(args).values.some(truthy),
  /** `value` unless it is null or empty, else `fallback`: for values that are null by contract. */
  default: fixed('default', 2, (value, fallback) => (value === null || value === '' ? fallback : value)),
  includes: fixed('includes', 2, (list, item) => Array.isArray(list) && list.includes(item)),
  length: fixed('length', 1, (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : 0)),
  json,
  shq: fixed('shq', 1, shellQuote),
  shwords: fixed('shwords', 1, shellWords),
  join,
  framed: fixed('framed', 2, (text, tag) => framed(String(text), String(tag))),
  concat: (...args: unknown[]) => strings('concat', split(args).values).join(''),
  array: (...args: unknown[]) => split(args).values,
});

/** Helpers whose output is safe to place in a file of the given type: nothing else may print there. */
export const SAFE_OUTPUT_HELPERS: Readonly<Record<'sh' | 'json', ReadonlySet<string>>> = Object.freeze({
  sh: new Set(['shq', 'shwords']),
  json: new Set(['json']),
});
