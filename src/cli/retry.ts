// `orchestrator retry <kind> <name>`: runs a finished (or stuck) run again (src/runs/retry.ts).
import type { Command } from 'commander';
import { attemptField } from '../api/index.js';
import { NOT_RETRYABLE, retryRun } from '../runs/retry.js';
import { CliExit, type CliIO, fail } from './io.js';
import { KIND_HELP, parseRef, qualifiedName } from './kinds.js';
import { addKubeOptions, type KubeFlags, withConnection } from './kube.js';
import { addWaitOptions, waitForRun } from './wait.js';

export function registerRetryCommand(program: Command, io: CliIO): void {
  const cmd = program
    .command('retry')
    .description('run a run again: raise spec.retryAttempt (TaskRun) or spec.contextVersion (CodeRun) by one')
    .argument('<kind>', `${KIND_HELP}, or kind/name`)
    .argument('[name]', 'the run');
  addWaitOptions(addKubeOptions(cmd)).action(
    async (
      kindArg: string,
      nameArg: string | undefined,
      flags: KubeFlags & { wait?: boolean; timeout: string },
    ) => {
      const { kind, name } = parseRef(kindArg, nameArg);
      if (!attemptField(kind)) throw fail(NOT_RETRYABLE);
      const code = await withConnection(flags, async (conn) => {
        const { from, to, field } = await retryRun(conn.client, kind, conn.namespace, name);
        io.out(`${qualifiedName(kind)}/${name} retried (spec.${field} ${from} -> ${to})\n`);
        return flags.wait ? waitForRun(conn, { kind, name, namespace: conn.namespace }, io, flags) : 0;
      });
      if (code !== 0) throw new CliExit(code);
    },
  );
}
