// `orchestrator completion bash|zsh|fish`: shell completion generated from the command tree main.ts
// builds (the one place the verbs and flags are written), so a command or flag added there completes
// with no change here: subcommands, then each command's flags. The values only the cluster knows (a
// command's kinds and run names, -n's namespaces) the script asks of `orchestrator __complete`
// (complete.ts) for the commands that take a run.
import type { Command, Option } from 'commander';
import { shownCommands } from './examples.js';
import { fail } from './io.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** A command of the tree: its path (`''` for the root, `task code`), subcommands and flags. */
interface Node {
  path: string;
  subcommands: string[];
  flags: string[];
  options: readonly Option[];
  /** Whether its arguments (a run: `<kind> [name]`) or flags' values are asked of `__complete`. */
  asks: boolean;
}

function nodes(command: Command, prefix: string[] = []): Node[] {
  const options = command.options;
  const flags = options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f));
  const shown = shownCommands(command);
  const self: Node = {
    path: prefix.join(' '),
    subcommands: shown.map((c) => c.name()),
    flags: [...flags, '--help'],
    options,
    asks: command.registeredArguments[0]?.name() === 'kind',
  };
  return [self, ...shown.flatMap((c) => nodes(c, [...prefix, c.name()]))];
}

/** Words safe inside single quotes and a bash `case` pattern: names and flags are [-a-z0-9.]. */
function checked(words: readonly string[]): string {
  for (const w of words)
    if (!/^[-A-Za-z0-9.]+$/.test(w)) throw new Error(`completion: "${w}" is not a plain word`);
  return words.join(' ');
}

/** The command's names: its own, and the one kubectl runs it by as a plugin. */
const NAMES = ['orchestrator', 'kubectl-orchestrator'] as const;

function bash(root: Command): string {
  const fn = '_orchestrator';
  const all = nodes(root);
  const subs = all
    .filter((n) => n.subcommands.length)
    .map((n) => `    '${n.path}') subs='${checked(n.subcommands)}' ;;`);
  const flags = all.map((n) => `    '${n.path}') flags='${checked(n.flags)}' ;;`);
  const asking = all.filter((n) => n.asks).map((n) => `'${n.path}'`);
  return `# bash completion for orchestrator: source <(orchestrator completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path='' word subs flags i
  # The command path: each word that names a subcommand of the path so far.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    subs=''
    case "$path" in
${subs.join('\n')}
    esac
    case " $subs " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  subs=''
  flags=''
  case "$path" in
${subs.join('\n')}
  esac
  case "$path" in
${flags.join('\n')}
  esac
  # Plain words, split on purpose: no mapfile, which zsh's bashcompinit lacks.
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    case "$path" in
    ${asking.join('|')})
      COMPREPLY+=($(compgen -W "$("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null)" -- "$cur")) ;;
    esac
  fi
}
complete -F ${fn} ${NAMES.join(' ')}
`;
}

function fish(root: Command): string {
  const lines = ['# fish completion for orchestrator: orchestrator completion fish | source'];
  for (const node of nodes(root)) {
    const words = node.path ? node.path.split(' ') : [];
    // At this node: every word of the path seen, and no subcommand of it yet.
    const at = [
      ...words.map((w) => `__fish_seen_subcommand_from ${w}`),
      ...(node.subcommands.length ? [`not __fish_seen_subcommand_from ${checked(node.subcommands)}`] : []),
    ];
    const condition = at.length ? ` -n '${at.join('; and ')}'` : " -n '__fish_use_subcommand'";
    if (node.subcommands.length)
      for (const name of NAMES)
        lines.push(`complete -c ${name} -f${condition} -a '${checked(node.subcommands)}'`);
    if (node.asks)
      for (const name of NAMES)
        lines.push(
          `complete -c ${name} -f${condition} -a '(${name} __complete -- (commandline -opc)[2..-1] (commandline -ct))'`,
        );
    for (const o of node.options) {
      const short = o.short ? ` -s ${checked([o.short.slice(1)])}` : '';
      const long = o.long ? ` -l ${checked([o.long.slice(2)])}` : '';
      const value = o.required || o.optional ? ' -r' : '';
      const description = o.description.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
      for (const name of NAMES)
        lines.push(`complete -c ${name}${condition}${short}${long}${value} -d '${description}'`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The script for `shell`; zsh runs the bash one through bashcompinit, as kubectl's users often do. */
export function completionScript(shell: string, root: Command): string {
  if (!SHELLS.includes(shell as Shell))
    throw fail(`unknown shell "${shell}": use one of ${SHELLS.join(', ')}`);
  if (shell === 'fish') return fish(root);
  const script = bash(root);
  if (shell === 'bash') return script;
  return `#compdef ${NAMES.join(' ')}
# zsh completion for orchestrator: source <(orchestrator completion zsh)
autoload -U +X bashcompinit && bashcompinit
${script}`;
}

export function registerCompletionCommand(program: Command, io: { out(text: string): void }): void {
  program
    .command('completion')
    .description('print the shell completion script: bash, zsh or fish')
    .argument('<shell>', SHELLS.join(', '))
    .action((shell: string) => {
      io.out(completionScript(shell, program));
    });
}
