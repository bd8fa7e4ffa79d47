import { Command, CommanderError } from 'commander';
import { packageVersion } from '../util/index.js';
import { addExamples } from './examples.js';
import { CliExit, type CliIO, processIO } from './io.js';

type Register = (program: Command, io: CliIO) => void;

/**
 * Each module of commands, in help's order, with the top-level words that reach its commands. A run of
 * one command loads only that command's module: loading all of them (the whole product, some 1,300
 * modules) took a second of CPU before `orchestrator get` did anything, half of it for nothing.
 * main.test.ts checks each row's words against what its module registers. `completion` reads the
 * whole tree, so it has no words: it is reached by loading every module.
 */
export const COMMAND_MODULES: ReadonlyArray<{ words: readonly string[]; load(): Promise<Register> }> = [
  { words: ['run'], load: async () => (await import('./run.js')).registerRunCommand },
  { words: ['cluster'], load: async () => (await import('./cluster.js')).registerClusterCommands },
  { words: ['validate'], load: async () => (await import('./validate.js')).registerValidateCommand },
  { words: ['certs'], load: async () => (await import('./certs.js')).registerCertsCommand },
  { words: ['task'], load: async () => (await import('./task.js')).registerTaskCommands },
  { words: ['get'], load: async () => (await import('./get.js')).registerGetCommand },
  { words: ['describe'], load: async () => (await import('./describe.js')).registerDescribeCommand },
  { words: ['retry'], load: async () => (await import('./retry.js')).registerRetryCommand },
  { words: ['cancel'], load: async () => (await import('./cancel.js')).registerCancelCommand },
  { words: ['delete'], load: async () => (await import('./delete.js')).registerDeleteCommand },
  { words: ['wait'], load: async () => (await import('./wait.js')).registerWaitCommand },
  { words: ['logs'], load: async () => (await import('./logs.js')).registerLogsCommand },
  { words: ['render'], load: async () => (await import('./render.js')).registerRenderCommand },
  {
    words: ['install', 'uninstall'],
    load: async () => (await import('./install.js')).registerInstallCommands,
  },
  { words: ['config'], load: async () => (await import('./config-convert.js')).registerConfigCommands },
  { words: ['egress'], load: async () => (await import('./egress.js')).registerEgressCommand },
  { words: ['doctor'], load: async () => (await import('./doctor.js')).registerDoctorCommand },
  { words: ['version'], load: async () => (await import('./version.js')).registerVersionCommand },
  { words: [], load: async () => (await import('./completion.js')).registerCompletionCommand },
  {
    words: ['__complete'],
    // The line's own command's module only (a Tab runs this), built as main builds it.
    load: async () => {
      const { registerCompleteCommand } = await import('./complete.js');
      return (cmd, io) => registerCompleteCommand(cmd, io, (word) => program(io, cmd.name(), word));
    },
  },
];

/**
 * Builds the command tree; each concept registers its own subcommands. `name` is how help spells the
 * command: `kubectl orchestrator` when kubectl runs it as a plugin (bin/orchestrator.js linked as
 * kubectl-orchestrator). With `word`, the first argument, only the module whose commands it names is
 * loaded (none for `--version`; the whole tree when it names none: help, a mistyped command with its
 * suggestion, completion).
 */
export async function program(
  io: CliIO = processIO(),
  name = 'orchestrator',
  word?: string,
): Promise<Command> {
  const cmd = new Command(name)
    .description('Run autonomous AI coding agents as Kubernetes Jobs')
    .version(packageVersion(), '--version', 'print the version')
    // An unknown command or flag is one line (with commander's "Did you mean …?"), not the whole help.
    .showHelpAfterError(`(${name} --help lists the commands and flags)`)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  const one = COMMAND_MODULES.find((m) => word !== undefined && m.words.includes(word));
  const modules = word === '--version' ? [] : one ? [one] : COMMAND_MODULES;
  const registers = await Promise.all(modules.map((m) => m.load()));
  for (const register of registers) register(cmd, io);
  addExamples(cmd);
  return cmd;
}

/**
 * Runs the CLI; resolves to the process exit code instead of exiting, so tests can call it (with a
 * capturing `io`). process.exitCode, which some commands set, is restored: one call must not leak its
 * exit code into the next, nor into the exit status of the process that called it.
 */
export async function main(argv: string[], io: CliIO = processIO(), name?: string): Promise<number> {
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await (await program(io, name, argv[2])).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliExit) {
      if (err.message) io.err(`${err.message}\n`);
      return err.code;
    }
    io.err(`orchestrator: ${(err as Error).message}\n`);
    return 1;
  } finally {
    process.exitCode = before;
  }
}
