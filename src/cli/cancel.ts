// `orchestrator cancel <kind> <name>`: stops a run and keeps its record (src/runs/cancel.ts), where
// `kubectl delete` would lose it. The controller stops the running attempt; `--wait` follows it to
// Cancelled (exit 1, as any run that did not succeed, unless it succeeded first).
import type { Command } from 'commander';
import { cancelRun } from '../runs/index.js';
import type { CliIO } from './io.js';
import { qualifiedName } from './kinds.js';
import { registerRunVerb } from './run-verb.js';

export function registerCancelCommand(program: Command, io: CliIO): void {
  registerRunVerb(program, io, {
    name: 'cancel',
    description:
      'cancel a run: set spec.cancelled, so its running attempt is stopped, no other starts, and it ends Cancelled (its record kept)',
    act: async (conn, kind, name) => {
      const { outcome } = await cancelRun(conn.client, kind, conn.namespace, name);
      return `${qualifiedName(kind)}/${name} ${outcome === 'already' ? 'was already cancelled' : 'cancelled'}`;
    },
  });
}
