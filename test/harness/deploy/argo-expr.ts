// Argo's expression tags (`{{=expr}}`, expr-lang with Argo's functions) as the shipped templates use
// them, for the config tests: the few forms of config/argo (a ternary, `let`, `?.`, `??`, `==`, `+`,
// string and integer literals, map literals, `nil`, indexing, a negative index from the end as
// expr-lang counts, `matches` with a literal, and the functions below) translated to JavaScript and run over the tag's variables.
// Anything else (another function, a lambda, an operator expr-lang spells otherwise) is refused, so a
// template that uses more fails here rather than being evaluated wrongly; Argo's own evaluator runs in
// the integration tests (test/integration/argo-*.test.ts).

/** An array whose negative indices count from its end, as expr-lang's `a[-1]` does. */
const fromEnd = (a: string[]): string[] =>
  new Proxy(a, {
    get: (target, key, receiver) =>
      typeof key === 'string' && /^-[0-9]+$/.test(key)
        ? target.at(Number(key))
        : Reflect.get(target, key, receiver),
  });

/** Argo's functions the templates call, as expr-lang defines them for the values they get. */
const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  toJson: (v) => JSON.stringify(v),
  fromJSON: (s) => JSON.parse(String(s)),
  asInt: (s) => {
    if (!/^-?[0-9]+$/.test(String(s))) throw new Error(`asInt: ${JSON.stringify(s)} is not an integer`);
    return Number(s);
  },
  string: (v) => String(v),
  lower: (s) => String(s).toLowerCase(),
  split: (s, sep) => fromEnd(String(s).split(String(sep))),
  trimSuffix: (s, suffix) =>
    String(s).endsWith(String(suffix)) ? String(s).slice(0, -String(suffix).length) : s,
  replace: (s, from, to) => String(s).replaceAll(String(from), String(to)),
};

/** The JavaScript of one expression: `let x = a; b` as a block, `nil` as null, variables by name. */
function translate(expr: string, variables: ReadonlySet<string>): string {
  const tokens =
    expr.match(/'(?:[^'\\]|\\.)*'|\?\.|\?\?|==|!=|\[\s*'[^']*'\s*\]|[A-Za-z_][\w.]*|[0-9]+|\S/g) ?? [];
  const lets: string[] = [];
  let js = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    if (tok === 'let') {
      lets.push(tokens[i + 1] as string);
      js += 'const ';
    } else if (tok === ';') js += ';';
    else if (tok === 'nil') js += 'null';
    else if (tok === '==' || tok === '!=') js += ` ${tok} `;
    else if (tok === 'matches') {
      // `x matches 're'`: a variable or a bracket before it, a string literal after (RE2 and
      // JavaScript agree on the classes and anchors the templates use).
      const pattern = tokens[i + 1] ?? '';
      if (!/^'/.test(pattern) || !/[\w\]]$/.test(js))
        throw new Error(`expression ${expr}: matches needs a name and a literal`);
      js += `.match(new RegExp(${pattern})) !== null`;
      i++;
    } else if (/^'/.test(tok) || /^\[/.test(tok) || /^[?:+(),=\]{}-]$|^[0-9]+$|^\?\.$|^\?\?$/.test(tok))
      js += tok;
    else if (tok in FUNCTIONS || lets.includes(tok) || tokens[i - 1] === '?.') js += tok;
    else if (/^[A-Za-z_][\w.]*$/.test(tok)) {
      // A variable, maybe followed by ['name-with-dashes'].
      const next = tokens[i + 1];
      const key = next?.startsWith('[') ? `${tok}.${next.replace(/^\[\s*'|'\s*\]$/g, '')}` : tok;
      if (!variables.has(key)) throw new Error(`expression ${expr}: unknown name ${key}`);
      js += `v[${JSON.stringify(key)}]`;
      if (next?.startsWith('[')) i++;
    } else throw new Error(`expression ${expr}: unsupported ${tok}`);
  }
  const body = js.split(';');
  const last = body.pop() ?? '';
  return `${body.join(';')}${body.length ? ';' : ''} return (${last});`;
}

/** The value of `{{=expr}}` with `values` (Argo's dotted names, `inputs.parameters.x`), as Argo writes it into text. */
export function evaluate(expr: string, values: Record<string, string>): string {
  const names = Object.keys(FUNCTIONS);
  const run = new Function('v', ...names, translate(expr, new Set(Object.keys(values))));
  const result: unknown = run(values, ...names.map((n) => FUNCTIONS[n]));
  if (result === null || result === undefined) throw new Error(`expression ${expr}: no value`);
  return typeof result === 'string' ? result : JSON.stringify(result);
}
