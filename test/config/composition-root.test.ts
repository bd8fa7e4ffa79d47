// The composition root stays a list (issue #71): `run()` (src/app/run.ts) is one line per step, each step
// a function of a file of its own beside it, so a new feature adds a file and a line rather than a block;
// and no function of the root, of the files its steps live in, of the reconcilers' wiring
// (src/controllers/run-controllers.ts) or of the gateway's handler (src/gateway/handler.ts) grows past
// MAX_FUNCTION_LINES. The sources are read with TypeScript's parser.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUN = 'src/app/run.ts';
const MAX_RUN_LINES = 40;
const MAX_FUNCTION_LINES = 50;

const parse = (file: string): ts.SourceFile =>
  ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);

const lineOf = (source: ts.SourceFile, pos: number): number => source.getLineAndCharacterOfPosition(pos).line;
const lines = (source: ts.SourceFile, node: ts.Node): number =>
  lineOf(source, node.getEnd()) - lineOf(source, node.getStart(source)) + 1;

/** The files of the same folder a source imports from (`./name.js`), by the names it imports. */
function siblingImports(source: ts.SourceFile): Map<string, string> {
  const from = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const spec = statement.moduleSpecifier.text;
    const names = statement.importClause?.namedBindings;
    if (!spec.startsWith('./') || !names || !ts.isNamedImports(names)) continue;
    for (const name of names.elements) from.set(name.name.text, spec.slice(2).replace(/\.js$/, '.ts'));
  }
  return from;
}

/** A try's blocks are the list's continuation: its statements, and its finally's, are steps too. */
function flatten(statements: readonly ts.Statement[]): ts.Statement[] {
  return statements.flatMap((s) =>
    ts.isTryStatement(s) && !s.catchClause
      ? [...flatten(s.tryBlock.statements), ...flatten(s.finallyBlock?.statements ?? [])]
      : [s],
  );
}

/** The called name of `f(…)`, `await f(…)`, `x = …` or `const x = …` of one; undefined when it is none. */
function stepCall(statement: ts.Statement): string | undefined {
  let expr: ts.Expression | undefined;
  if (ts.isExpressionStatement(statement)) expr = statement.expression;
  else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1)
    expr = statement.declarationList.declarations[0]?.initializer;
  if (expr && ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.EqualsToken)
    expr = expr.right;
  if (expr && ts.isAwaitExpression(expr)) expr = expr.expression;
  return expr && ts.isCallExpression(expr) && ts.isIdentifier(expr.expression)
    ? expr.expression.text
    : undefined;
}

/** `const servers: Servers = {}`: the state the steps fill in, the one statement that is not a call. */
const emptyState = (statement: ts.Statement): boolean => {
  const init = ts.isVariableStatement(statement) && statement.declarationList.declarations[0]?.initializer;
  return !!init && ts.isObjectLiteralExpression(init) && init.properties.length === 0;
};

/** What breaks the list: one line per statement of `run()` that is not a step, naming it. */
function runProblems(source: ts.SourceFile): string[] {
  const run = source.statements.find((s) => ts.isFunctionDeclaration(s) && s.name?.text === 'run') as
    | ts.FunctionDeclaration
    | undefined;
  if (!run?.body) return [`${RUN}: no function run`];
  const imported = siblingImports(source);
  const problems = flatten(run.body.statements).flatMap((s) => {
    if (emptyState(s)) return [];
    const name = stepCall(s);
    const at = `${RUN}:${lineOf(source, s.getStart(source)) + 1}`;
    if (!name) return [`${at}: not a step call: ${s.getText(source).split('\n')[0]}`];
    return imported.has(name) ? [] : [`${at}: ${name} is not imported from a file of src/app`];
  });
  const span = lines(source, run.body);
  if (span > MAX_RUN_LINES) problems.push(`${RUN}: run() spans ${span} lines (at most ${MAX_RUN_LINES})`);
  return problems;
}

/** Every function, method and arrow function longer than MAX_FUNCTION_LINES, with its line. */
function longFunctions(file: string): string[] {
  const source = parse(file);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && lines(source, node) > MAX_FUNCTION_LINES)
      found.push(`${file}:${lineOf(source, node.getStart(source)) + 1}: ${lines(source, node)} lines`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

t.test('run() is a list of step calls, each imported from a file of src/app', async (t) => {
  const source = parse(RUN);
  t.same(runProblems(source), []);
  const files = new Set(siblingImports(source).values());
  t.ok(files.size >= 10, `the steps live in files of their own (${[...files].join(', ')})`);
});

t.test('a block in run() is found, and so is a call of something not a step', async (t) => {
  const block = ts.createSourceFile(
    'run.ts',
    "import { a } from './a.js';\nimport { b } from '../b.js';\nexport async function run() {\n" +
      '  const x = await a();\n  if (x) x.go();\n  b();\n}\n',
    ts.ScriptTarget.Latest,
    true,
  );
  t.same(runProblems(block), [
    `${RUN}:5: not a step call: if (x) x.go();`,
    `${RUN}:6: b is not imported from a file of src/app`,
  ]);
});

t.test(
  'no function of the root, its steps, the reconcilers wiring or the gateway handler is long',
  async (t) => {
    const steps = [...new Set(siblingImports(parse(RUN)).values())].map((f) => `src/app/${f}`);
    const files = [RUN, ...steps, 'src/controllers/run-controllers.ts', 'src/gateway/handler.ts'];
    t.same(files.flatMap(longFunctions), []);
  },
);
