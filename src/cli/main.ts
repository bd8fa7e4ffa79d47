import { Command, CommanderError } from 'commander';
import { registerCertsCommand } from './certs.js';
import { registerClusterCommands } from './cluster.js';
import { registerRunCommand } from './run.js';
import { registerValidateCommand } from './validate.js';

/** Builds the command tree; each concept registers its own subcommands. */
export function program(): Command {
  const cmd = new Command('orchestrator')
    .description('Run autonomous AI coding agents as Kubernetes Jobs')
    .showHelpAfterError()
    .exitOverride();
  registerRunCommand(cmd);
  registerClusterCommands(cmd);
  registerValidateCommand(cmd);
  registerCertsCommand(cmd);
  return cmd;
}

/** Runs the CLI; resolves to the process exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    console.error(`orchestrator: ${(err as Error).message}`);
    return 1;
  }
}
