// `orchestrator cancel <kind> <name>`: stops a run and keeps its record (src/runs/cancel.ts), where
// `kubectl delete` would lose it. The controller stops the running attempt; `--wait` follows it to Cancelled.
import type { Command } from 'commander';
import { cancelRun } from '../runs/cancel.js';
import { CliExit, type CliIO } from './io.js';
import { KIND_HELP, parseRef, qualifiedName } from './kinds.js';
import { addKubeOptions, type KubeFlags, withConnection } from './kube.js';
import { addWaitOptions, waitForRun } from './wait.js';

export function registerCancelCommand(program: Command, io: CliIO): void {
  const cmd = program
    .command('cancel')
    .description(
      'cancel a run: set spec.cancelled, so its running attempt is stopped, no other starts, and it ends Cancelled (its record kept)',
    )
    .argument('<kind>', `${KIND_HELP}, or kind/name`)
    .argument('[name]', 'the run');
  addWaitOptions(addKubeOptions(cmd)).action(
    async (
      kindArg: string,
      nameArg: string | undefined,
      flags: KubeFlags & { wait?: boolean; timeout: string },
    ) => {
      const { kind, name } = parseRef(kindArg, nameArg);
      const code = await withConnection(flags, async (conn) => {
        const { outcome } = await cancelRun(conn.client, kind, conn.namespace, name);
        io.out(
          `${qualifiedName(kind)}/${name} ${outcome === 'already' ? 'was already cancelled' : 'cancelled'}\n`,
        );
        if (!flags.wait) return 0;
        // The run ends Cancelled (exit 1, as any run that did not succeed) unless it succeeded first.
        return waitForRun(conn, { kind, name, namespace: conn.namespace }, io, flags);
      });
      if (code !== 0) throw new CliExit(code);
    },
  );
}
