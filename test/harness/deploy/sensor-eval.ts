// What a Sensor does with one GitHub delivery, without Argo Events running, for the config tests
// (test/config/argo-*.test.ts): a dependency's filters over the event ({headers, body}), and its
// trigger parameters' values. Paths are resolved with jsonpath-plus (gjson's dotted form, `#` every
// element); regular expressions with JavaScript's engine (the same result as Go's regexp for the
// anchored patterns the sensors use); data templates by the small subset of Go templates and sprig
// the sensors use (`{{ .Input.path | fn "arg" ... }}`), refusing anything else, so a template that
// uses more fails here rather than being evaluated wrongly. Argo's own evaluator runs in
// test/integration/argo-events.test.ts.
import { JSONPath } from 'jsonpath-plus';
import type { Payload } from '../remote/github.js';

export interface DataFilter {
  path: string;
  type: string;
  value: string[];
  comparator?: string;
}
export interface ExprFilter {
  expr: string;
  fields: Array<{ name: string; path: string }>;
}
export interface Filters {
  data?: DataFilter[];
  exprs?: ExprFilter[];
  dataLogicalOperator?: string;
  exprLogicalOperator?: string;
}
export interface SensorEvent {
  headers: Record<string, string[]>;
  body: Payload;
}

/** GitHub's delivery of `body` as event `name`, as the EventSource hands it to a Sensor. */
export const sensorEvent = (name: string, body: Payload): SensorEvent => ({
  headers: { 'X-Github-Event': [name] },
  body,
});

/** The value(s) at a gjson-style dotted path of the event's data; `#` is every element. */
export function resolve(data: unknown, path: string): unknown[] {
  const json = `$.${path
    .split('.')
    .map((k) => (k === '#' ? '[*]' : `[${JSON.stringify(k)}]`))
    .join('')}`
    .replace('$.[', '$[')
    .replaceAll('].[', '][');
  return JSONPath({ path: json, json: data as object, wrap: true }) as unknown[];
}

/** How Argo Events compares a string data filter: the value (a header's is its JSON) matches a pattern. */
function dataPasses(event: SensorEvent, f: DataFilter): boolean {
  const [value] = resolve(event, f.path);
  if (value === undefined) return false;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const matches = f.value.some((v) => new RegExp(v).test(text));
  return f.comparator === '!=' ? !matches : matches;
}

/** The only expression the sensors use: two fields equal. */
function exprPasses(event: SensorEvent, f: ExprFilter): boolean {
  if (f.expr !== 'head == base') throw new Error(`unsupported expr: ${f.expr}`);
  const values = f.fields.map((field) => resolve(event, field.path)[0]);
  return values.every((v) => v !== undefined) && values[0] === values[1];
}

/** Whether every entry of the filters holds (the sensors' filters are all ANDs). */
export const filtersPass = (event: SensorEvent, f: Filters): boolean =>
  (f.data ?? []).every((d) => dataPasses(event, d)) && (f.exprs ?? []).every((e) => exprPasses(event, e));

/** A function of the templates' pipelines on a string: sprig's, which refuse anything else. */
const onString =
  (name: string, fn: (args: string[], v: string) => string) =>
  (args: string[], v: unknown): string => {
    if (typeof v !== 'string') throw new Error(`${name}: wants a string, got ${typeof v}`);
    return fn(args, v);
  };

const FUNCTIONS: Record<string, (args: string[], value: unknown) => unknown> = {
  lower: onString('lower', (_, v) => v.toLowerCase()),
  replace: onString('replace', ([from = '', to = ''], v) => v.replaceAll(from, to)),
  trimPrefix: onString('trimPrefix', ([prefix = ''], v) =>
    v.startsWith(prefix) ? v.slice(prefix.length) : v,
  ),
  trimSuffix: onString('trimSuffix', ([suffix = ''], v) =>
    v.endsWith(suffix) ? v.slice(0, -suffix.length) : v,
  ),
  // sprig's toInt64: a JSON number (a float64 in Go) truncated to an integer, printed as one.
  int64: (_, v) => BigInt(Math.trunc(Number(v))),
};

/**
 * How Go's text/template prints a JSON number, which reaches it as a float64: fmt's %v, the shortest
 * digits, in exponent form from an exponent of 6 (or the digits' count, if fewer) up: 2476938475
 * prints as 2.476938475e+09, 12 as 12.
 */
export function goFloat(n: number): string {
  if (n === 0) return '0';
  const [mantissa = '', exp = '0'] = n.toExponential().split('e');
  const e = Number(exp);
  const digits = mantissa.replace(/^-/, '').replace('.', '').length;
  const eprec = 6 > digits && digits >= e + 1 ? digits : 6;
  if (e >= -4 && e < eprec) return String(n);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** A pipeline's value as the template prints it. */
function printed(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new Error(`unsupported template value: ${JSON.stringify(value)}`);
}

/** A trigger parameter's data template rendered for the event (`.Input` is the event's data). */
export function renderTemplate(template: string, event: SensorEvent): string {
  return template.replaceAll(/\{\{(.*?)\}\}/g, (_, action: string) => {
    const [source = '', ...pipes] = action.split('|').map((s) => s.trim());
    const path = /^\.Input\.(\S+)$/.exec(source)?.[1];
    if (!path) throw new Error(`unsupported template source: ${source}`);
    const [found] = resolve(event, path);
    if (found === undefined) throw new Error(`${path}: no such field`);
    const value = pipes.reduce((value: unknown, pipe) => {
      const [name = '', ...args] = pipe.match(/"[^"]*"|\S+/g) ?? [];
      const fn = FUNCTIONS[name];
      if (!fn) throw new Error(`unsupported template function: ${name}`);
      return fn(
        args.map((a) => JSON.parse(a) as string),
        value,
      );
    }, found);
    return printed(value);
  });
}
