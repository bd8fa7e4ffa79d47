import { Command, CommanderError } from 'commander';
import { packageVersion } from '../util/index.js';
import { registerCancelCommand } from './cancel.js';
import { registerCertsCommand } from './certs.js';
import { registerClusterCommands } from './cluster.js';
import { registerCompletionCommand } from './completion.js';
import { registerDescribeCommand } from './describe.js';
import { registerDoctorCommand } from './doctor.js';
import { registerEgressCommand } from './egress.js';
import { addExamples } from './examples.js';
import { registerGetCommand } from './get.js';
import { registerInstallCommands } from './install.js';
import { CliExit, type CliIO, processIO } from './io.js';
import { registerLogsCommand } from './logs.js';
import { registerRenderCommand } from './render.js';
import { registerRetryCommand } from './retry.js';
import { registerRunCommand } from './run.js';
import { registerTaskCommands } from './task.js';
import { registerValidateCommand } from './validate.js';
import { registerWaitCommand } from './wait.js';

/**
 * Builds the command tree; each concept registers its own subcommands. `name` is how help spells the
 * command: `kubectl orchestrator` when kubectl runs it as a plugin (bin/orchestrator.js linked as kubectl-orchestrator).
 */
export function program(io: CliIO = processIO(), name = 'orchestrator'): Command {
  const cmd = new Command(name)
    .description('Run autonomous AI coding agents as Kubernetes Jobs')
    .version(packageVersion(), '--version', 'print the version')
    // An unknown command or flag is one line (with commander's "Did you mean …?"), not the whole help.
    .showHelpAfterError(`(${name} --help lists the commands and flags)`)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  registerRunCommand(cmd);
  registerClusterCommands(cmd);
  registerValidateCommand(cmd);
  registerCertsCommand(cmd);
  registerTaskCommands(cmd, io);
  registerGetCommand(cmd, io);
  registerDescribeCommand(cmd, io);
  registerRetryCommand(cmd, io);
  registerCancelCommand(cmd, io);
  registerWaitCommand(cmd, io);
  registerLogsCommand(cmd, io);
  registerRenderCommand(cmd, io);
  registerInstallCommands(cmd, io);
  registerEgressCommand(cmd, io);
  registerDoctorCommand(cmd, io);
  registerCompletionCommand(cmd, io);
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
    await program(io, name).parseAsync(argv);
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
