// `-o jsonpath=TEMPLATE` and `-o custom-columns=SPEC`, with kubectl's template syntax: text, `{.path}`
// (a JSONPath relative to the object; several matches joined by a space), `{"literal"}`, and
// `{range .path}…{end}`. The JSONPath expressions themselves are evaluated by jsonpath-plus (the library
// client-node uses for kubeconfig paths): only the template around them is parsed here.
import { JSONPath } from 'jsonpath-plus';
import { fail } from './io.js';
import { formatTable } from './table.js';

type Node = { text: string } | { path: string } | { range: string; body: Node[] };

/** The matches of one kubectl path (`.status.phase`, `{@}`, `$.items[*]`) in `json`. */
function matches(path: string, json: unknown): unknown[] {
  const p = path.trim();
  const rooted =
    p === '@' || p === '$' ? '$' : p.startsWith('$') ? p : p.startsWith('@') ? `$${p.slice(1)}` : `$${p}`;
  try {
    return JSONPath({ path: rooted, json: json as object, wrap: true, eval: 'safe' }) as unknown[];
  } catch (err) {
    throw fail(`jsonpath ${path}: ${(err as Error).message}`);
  }
}

/** The template's nodes; `{end}` without `{range}`, an unclosed brace or range are errors. */
function parse(template: string): Node[] {
  const stack: Node[][] = [[]];
  const ranges: Array<{ range: string; body: Node[] }> = [];
  let rest = template;
  while (rest.length) {
    const open = rest.indexOf('{');
    if (open < 0) {
      stack.at(-1)?.push({ text: rest });
      break;
    }
    if (open > 0) stack.at(-1)?.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}', open);
    if (close < 0) throw fail(`jsonpath template ${JSON.stringify(template)}: unclosed "{"`);
    const inner = rest.slice(open + 1, close).trim();
    rest = rest.slice(close + 1);
    const literal = /^"(.*)"$/s.exec(inner);
    if (literal) stack.at(-1)?.push({ text: JSON.parse(`"${literal[1]}"`) as string });
    else if (inner.startsWith('range ')) {
      const node = { range: inner.slice(6), body: [] as Node[] };
      stack.at(-1)?.push(node);
      ranges.push(node);
      stack.push(node.body);
    } else if (inner === 'end') {
      if (!ranges.pop()) throw fail(`jsonpath template ${JSON.stringify(template)}: {end} without {range}`);
      stack.pop();
    } else stack.at(-1)?.push({ path: inner });
  }
  if (ranges.length) throw fail(`jsonpath template ${JSON.stringify(template)}: {range} without {end}`);
  return stack[0] ?? [];
}

/** A matched value as kubectl prints it: strings bare, objects and lists as JSON. */
const show = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function evaluate(nodes: readonly Node[], json: unknown): string {
  return nodes
    .map((n) => {
      if ('text' in n) return n.text;
      if ('path' in n) return matches(n.path, json).map(show).join(' ');
      return matches(n.range, json)
        .map((item) => evaluate(n.body, item))
        .join('');
    })
    .join('');
}

/** `-o jsonpath=TEMPLATE` of `json` (an object, or a List of them as kubectl passes it). */
export function jsonPathOutput(template: string, json: unknown): string {
  return evaluate(parse(template), json);
}

/** `-o custom-columns=NAME:.path,…`: a table, a column per spec, `<none>` where nothing matches. */
export function customColumnsOutput(spec: string, items: readonly unknown[]): string {
  const columns = spec.split(',').map((column) => {
    const colon = column.indexOf(':');
    if (colon <= 0 || colon === column.length - 1)
      throw fail(`custom-columns ${JSON.stringify(column)}: give each column as HEADER:.json.path`);
    const path = column.slice(colon + 1).replace(/^\{(.*)\}$/s, '$1');
    return { header: column.slice(0, colon), path };
  });
  const rows = items.map((item) =>
    columns.map(({ path }) => {
      const found = matches(path, item);
      return found.length ? found.map(show).join(',') : '<none>';
    }),
  );
  return formatTable([columns.map((c) => c.header), ...rows]);
}
