// A static check of templates whose output is code: in a .sh template every printed value must go
// through shq/shwords, in a .json template through json. A raw {{value}} there would let a run's
// field (a model name, a branch, a restriction) break out of its quoting, so it is refused at load
// time whatever the values of the day happen to be.
import type { Environment } from './environment.js';
import { SAFE_OUTPUT_HELPERS } from './helpers.js';

type Node = { type: string; loc?: { start: { line: number; column: number } } } & Record<string, unknown>;

/** The file type whose values need a quoting helper, from a template name (x.sh.hbs → sh). */
export function quotedType(templateName: string): 'sh' | 'json' | undefined {
  if (templateName.endsWith('.sh.hbs')) return 'sh';
  if (templateName.endsWith('.json.hbs')) return 'json';
  return undefined;
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const key of ['body', 'program', 'inverse']) {
    const value = node[key];
    if (Array.isArray(value)) out.push(...(value as Node[]));
    else if (value && typeof value === 'object') out.push(value as Node);
  }
  return out;
}

function printed(node: Node): string {
  const path = node.path as { original?: unknown } | undefined;
  return String(path?.original ?? '?');
}

/** Problems of one template source ("line:column: what"), empty when it is clean. */
export function lintTemplate(env: Environment, templateName: string, source: string): string[] {
  const type = quotedType(templateName);
  if (!type) return [];
  const safe = SAFE_OUTPUT_HELPERS[type];
  const helpers = [...safe].join(' or ');
  const problems: string[] = [];
  const visit = (node: Node) => {
    if (node.type === 'MustacheStatement') {
      const path = node.path as { type: string; original?: unknown };
      const name = path.type === 'PathExpression' ? String(path.original) : '';
      if (!safe.has(name)) {
        const at = node.loc ? `${node.loc.start.line}:${node.loc.start.column + 1}` : '?';
        problems.push(
          `${at}: {{${printed(node)}}} prints a value unquoted; in a .${type} template use ${helpers}`,
        );
      }
    }
    for (const child of children(node)) visit(child);
  };
  visit(env.parse(source) as unknown as Node);
  return problems;
}
