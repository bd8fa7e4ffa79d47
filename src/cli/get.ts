// `orchestrator get [kind] [name]`: runs as kubectl shows them (the CRDs' printer columns), or as
// -o json|yaml|name|wide|jsonpath=…|custom-columns=…; -A across namespaces, -l to select by label;
// -w to go on printing each change (get-watch.ts).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { RunKindName } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import { watchRuns } from './get-watch.js';
import { type CliIO, fail } from './io.js';
import { customColumnsOutput, jsonPathOutput } from './jsonpath.js';
import { KIND_HELP, parseKinds, parseRef, qualifiedName, runPath } from './kinds.js';
import { addApiOptions, addKubeOptions, type Connection, type KubeFlags, withConnection } from './kube.js';
import { formatTable, tableRows } from './table.js';

export const OUTPUTS = ['json', 'yaml', 'name', 'wide'] as const;
type Output = (typeof OUTPUTS)[number];
/** The outputs that take an argument: `-o jsonpath=TEMPLATE`, `-o custom-columns=SPEC`. */
const TEMPLATED = ['jsonpath', 'custom-columns'] as const;
const OUTPUT_HELP = `${OUTPUTS.join(', ')}, ${TEMPLATED.map((o) => `${o}=…`).join(', ')}`;

/** `jsonpath={.x}` → its template; undefined for the plain outputs. */
function templated(
  output: string | undefined,
): { format: (typeof TEMPLATED)[number]; arg: string } | undefined {
  const eq = output?.indexOf('=') ?? -1;
  if (!output || eq < 0) return undefined;
  const format = TEMPLATED.find((f) => f === output.slice(0, eq));
  return format ? { format, arg: output.slice(eq + 1) } : undefined;
}

interface GetFlags extends KubeFlags {
  output?: string;
  allNamespaces?: boolean;
  selector?: string;
  watch?: boolean;
}

interface Found {
  kind: RunKindName;
  items: KubeObject[];
}

/** What -o json|yaml shows: the object without managedFields (kubectl hides them too). */
export function forDisplay(object: KubeObject): KubeObject {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _hidden, ...metadata } = object.metadata;
  return { ...object, metadata };
}

async function fetchRuns(
  conn: Connection,
  kinds: RunKindName[],
  name: string | undefined,
  flags: GetFlags,
): Promise<Found[]> {
  if (name) {
    const [kind] = kinds as [RunKindName];
    return [{ kind, items: [await conn.client.request('GET', runPath(kind, conn.namespace, name))] }];
  }
  const namespace = flags.allNamespaces ? undefined : conn.namespace;
  return Promise.all(
    kinds.map(async (kind) => {
      const list = await conn.client.request<{ items?: KubeObject[] }>('GET', runPath(kind, namespace), {
        query: { labelSelector: flags.selector },
      });
      return { kind, items: list.items ?? [] };
    }),
  );
}

function render(found: Found[], output: string | undefined, single: boolean, flags: GetFlags): string {
  const items = found.flatMap((f) => f.items.map(forDisplay));
  const value = () =>
    single ? items[0] : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
  if (output === 'json' || output === 'yaml')
    return output === 'json' ? `${JSON.stringify(value(), null, 4)}\n` : stringify(value());
  const template = templated(output);
  if (template?.format === 'jsonpath') return jsonPathOutput(template.arg, value());
  if (template?.format === 'custom-columns') return customColumnsOutput(template.arg, items);
  if (output === 'name')
    return found
      .flatMap((f) => f.items.map((i) => `${qualifiedName(f.kind)}/${i.metadata?.name}\n`))
      .join('');
  const several = found.length > 1;
  return found
    .filter((f) => f.items.length > 0)
    .map((f) =>
      formatTable(
        tableRows(f.kind, f.items, {
          wide: output === 'wide',
          allNamespaces: flags.allNamespaces === true,
          ...(several ? { qualify: qualifiedName(f.kind) } : {}),
        }),
      ),
    )
    .join('\n');
}

/** `get -w`: until Ctrl-C or SIGTERM; the table, or each object as `-o` prints one (yaml: a document each). */
async function watch(
  conn: Connection,
  io: CliIO,
  kinds: RunKindName[],
  name: string | undefined,
  flags: GetFlags,
): Promise<void> {
  const output = flags.output;
  const table = output === undefined || output === 'wide';
  const interrupt = io.interrupted();
  try {
    await watchRuns(
      conn,
      io,
      {
        kinds,
        ...(name ? { name } : {}),
        ...(flags.allNamespaces ? {} : { namespace: conn.namespace }),
        ...(flags.selector ? { selector: flags.selector } : {}),
        ...(table ? { table: output === 'wide' ? 'wide' : 'plain' } : {}),
        document: (kind, object) =>
          `${output === 'yaml' ? '---\n' : ''}${render([{ kind, items: [object] }], output, true, flags)}`,
      },
      interrupt.signal,
    );
  } finally {
    interrupt.dispose();
  }
}

export function registerGetCommand(program: Command, io: CliIO): void {
  addApiOptions(
    addKubeOptions(
      program
        .command('get')
        .description('list runs, or show one, like kubectl get')
        .argument('[kind]', `${KIND_HELP}, all (default), or kind/name`)
        .argument('[name]', 'one run')
        .option('-o, --output <format>', `output format: ${OUTPUT_HELP}`)
        .option('-A, --all-namespaces', 'list across all namespaces')
        .option('-l, --selector <selector>', 'label selector, e.g. orchestrator.io/service=payments')
        .option('-w, --watch', 'after the list, print each change until Ctrl-C (like kubectl get -w)'),
    ),
  ).action(async (kindArg: string | undefined, nameArg: string | undefined, flags: GetFlags) => {
    const output = flags.output;
    if (output !== undefined && !OUTPUTS.includes(output as Output) && !templated(output))
      throw fail(`-o ${output}: unsupported output format; use one of ${OUTPUT_HELP}`);
    let kinds: RunKindName[];
    let name: string | undefined;
    if (nameArg !== undefined || kindArg?.includes('/')) {
      if (kindArg === 'all') throw fail('a name needs a kind: get <kind> <name>');
      const ref = parseRef(kindArg as string, nameArg);
      kinds = [ref.kind];
      name = ref.name;
    } else kinds = parseKinds(kindArg);
    if (flags.watch) {
      if (templated(output)?.format === 'custom-columns')
        throw fail(
          '-o custom-columns: not with --watch (its columns are sized to the whole list); use -o jsonpath=…',
        );
      await withConnection(flags, (conn) => watch(conn, io, kinds, name, flags));
      return;
    }
    await withConnection(flags, async (conn) => {
      const found = await fetchRuns(conn, kinds, name, flags);
      if (found.every((f) => f.items.length === 0) && output !== 'json' && output !== 'yaml') {
        io.err(
          flags.allNamespaces
            ? 'No resources found\n'
            : `No resources found in ${conn.namespace} namespace.\n`,
        );
        return;
      }
      io.out(render(found, output, name !== undefined, flags));
    });
  });
}
