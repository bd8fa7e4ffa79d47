// `orchestrator __complete WORDS…` (hidden): the values the completion scripts cannot know, as kubectl's
// `__complete` gives them. WORDS are the command line after the program's name, the last being the word
// under the cursor. A command's `<kind>` argument completes to the kinds, its `[name]` (or a
// `kind/` word) to the names of that kind's runs in the namespace the line names (-n, else the
// context's), asked of the cluster with a short timeout. Anything that fails prints nothing: a Tab
// never prints an error into the user's line.
import type { Command } from 'commander';
import { lookupKind, RUN_KIND_NAMES, type RunKindName } from '../api/index.js';
import type { CliIO } from './io.js';
import { runPath } from './kinds.js';
import { type KubeFlags, withConnection } from './kube.js';

/** How long a Tab waits for the cluster: past it, no names. */
const LIST_TIMEOUT = '3s';

/** What the line says so far: the command it names, its flags' values, its arguments, the word typed. */
interface Line {
  command: Command;
  flags: KubeFlags;
  args: string[];
  typed: string;
  /** The flag whose value is being typed (`-n <Tab>`). */
  flagTyped?: string;
}

const CONNECTION_FLAGS: Record<string, keyof KubeFlags> = {
  '-n': 'namespace',
  '--namespace': 'namespace',
  '--kubeconfig': 'kubeconfig',
  '--context': 'context',
};

/** Whether a flag of `command` (or `--flag=value`) takes the next word as its value. */
function takesValue(command: Command, flag: string): boolean {
  const option = command.options.find((o) => o.short === flag || o.long === flag);
  return option !== undefined && (option.required || option.optional);
}

/**
 * bash splits `--namespace=dev` at the `=` (it is in COMP_WORDBREAKS): the `=` dropped, the value is the
 * flag's next word, as when written with a space.
 */
const withoutBreaks = (words: string[]) =>
  words.filter((w, i) => !(w === '=' && words[i - 1]?.startsWith('--')));

/** A flag as written: `--flag=value`, `-nVALUE` (a short flag's value attached), or the flag alone. */
function splitFlag(command: Command, word: string): [flag: string, inline?: string] {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return eq < 0 ? [word] : [word.slice(0, eq), word.slice(eq + 1)];
  }
  const short = word.slice(0, 2);
  return word.length > 2 && takesValue(command, short) ? [short, word.slice(2)] : [word];
}

function readLine(root: Command, all: string[]): Line {
  const words = withoutBreaks(all);
  const typed = words.at(-1) ?? '';
  let command = root;
  const flags: KubeFlags = {};
  const args: string[] = [];
  const before = words.slice(0, -1);
  let flagTyped: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const word = before[i] as string;
    const [flag, inline] = splitFlag(command, word);
    if (word.startsWith('-') && word !== '-') {
      const takes = inline === undefined && takesValue(command, flag);
      if (takes && i === before.length - 1) flagTyped = flag;
      const value = inline ?? (takes ? before[++i] : undefined);
      const connection = CONNECTION_FLAGS[flag];
      if (connection && value !== undefined) flags[connection] = value;
      continue;
    }
    const sub = args.length === 0 ? command.commands.find((c) => c.name() === word) : undefined;
    if (sub) command = sub;
    else args.push(word);
  }
  return { command, flags, args, typed, ...(flagTyped ? { flagTyped } : {}) };
}

/** The kinds as the CLI spells them (`taskrun`), `all` where the argument takes it. */
const kindWords = (allowsAll: boolean) => [
  ...RUN_KIND_NAMES.map((k) => k.toLowerCase()),
  ...(allowsAll ? ['all'] : []),
];

/** The names of a collection's objects (`path` of the line's namespace); none when the cluster fails. */
async function names(flags: KubeFlags, path: (namespace: string) => string): Promise<string[]> {
  return withConnection(
    { ...flags, requestTimeout: LIST_TIMEOUT },
    async (conn) => {
      const list = await conn.client.request<{ items?: { metadata?: { name?: string } }[] }>(
        'GET',
        path(conn.namespace),
      );
      return (list.items ?? []).flatMap((i) => (i.metadata?.name ? [i.metadata.name] : []));
    },
    // One call within LIST_TIMEOUT: no discovery or /version first.
    { checkCrds: false, probe: false },
  ).catch(() => []);
}

const runNames = (flags: KubeFlags, kind: RunKindName) => names(flags, (ns) => runPath(kind, ns));

/** The candidates for the word under the cursor (unfiltered by what is typed, as the shells filter). */
export async function candidates(root: Command, words: string[]): Promise<string[]> {
  const { command, flags, args, typed, flagTyped } = readLine(root, words);
  if (flagTyped)
    return CONNECTION_FLAGS[flagTyped] === 'namespace' ? names(flags, () => '/api/v1/namespaces') : [];
  const declared = command.registeredArguments.map((a) => a.name());
  if (typed.startsWith('-')) return [];
  const slot = declared[args.length];
  if (slot === 'kind') {
    const slash = typed.indexOf('/');
    if (slash < 0) return kindWords(!command.registeredArguments[0]?.required);
    const kind = lookupKind(typed.slice(0, slash));
    const prefix = typed.slice(0, slash + 1);
    return kind ? (await runNames(flags, kind)).map((n) => `${prefix}${n}`) : [];
  }
  if (slot === 'name' && declared[0] === 'kind') {
    const kind = args[0] && !args[0].includes('/') ? lookupKind(args[0]) : undefined;
    return kind ? runNames(flags, kind) : [];
  }
  return [];
}

/**
 * Registers `__complete`, hidden from help. `load(word)` builds the tree with the module of the
 * command the line starts with (main.ts's program), so a Tab loads one module, not the whole CLI.
 */
export function registerCompleteCommand(
  program: Command,
  io: Pick<CliIO, 'out'>,
  load: (word: string | undefined) => Promise<Command>,
): void {
  program
    .command('__complete', { hidden: true })
    .description('the values a completion script asks for (run names), one per line')
    .argument('[words...]', 'the command line after the program, the last word the one being typed')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      const found = await candidates(await load(words[0]), words);
      io.out(found.map((c) => `${c}\n`).join(''));
    });
}
