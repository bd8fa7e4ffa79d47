// `orchestrator cancel <kind> <name>`: stops a run and keeps its record (src/runs/cancel.ts), where
// `kubectl delete` would lose it. The controller stops the running attempt; `--wait` follows it to
// Cancelled (exit 1, as any run that did not succeed, unless it succeeded first).
import type { Command } from 'commander';
import { cancelRun } from '../runs/index.js';
import { type CliIO, fail } from './io.js';
import { qualifiedName, runPath } from './kinds.js';
import { registerRunVerb } from './run-verb.js';

export function registerCancelCommand(program: Command, io: CliIO): void {
  registerRunVerb(program, io, {
    name: 'cancel',
    description:
      'cancel a run: set spec.cancelled, so its running attempt is stopped, no other starts, and it ends Cancelled (its record kept)',
    act: async (conn, kind, name) => {
      const ref = `${qualifiedName(kind)}/${name}`;
      // The API answers a finished run 409 with the same reason, which the CLI prints as the server's.
      if (conn.viaApi) {
        await conn.client.request('POST', `${runPath(kind, conn.namespace, name)}/cancel`);
        return `${ref} cancelled`;
      }
      const cancelled = await cancelRun(conn.client, kind, conn.namespace, name);
      // The cluster answered: a finished run is the user's mistake to hear about, not a connection's.
      if (cancelled.outcome === 'finished') throw fail(`${ref} cannot be cancelled: ${cancelled.reason}`);
      return `${ref} ${cancelled.outcome === 'already' ? 'was already cancelled' : 'cancelled'}`;
    },
  });
}
