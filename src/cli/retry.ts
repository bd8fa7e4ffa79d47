// `orchestrator retry <kind> <name>`: runs a finished (or stuck) run again (src/runs/retry.ts).
import type { Command } from 'commander';
import { attemptField } from '../api/index.js';
import { NOT_RETRYABLE, retryRun } from '../runs/index.js';
import { type CliIO, fail } from './io.js';
import { qualifiedName } from './kinds.js';
import { registerRunVerb } from './run-verb.js';

export function registerRetryCommand(program: Command, io: CliIO): void {
  registerRunVerb(program, io, {
    name: 'retry',
    description: 'run a run again: raise spec.retryAttempt (TaskRun) or spec.contextVersion (CodeRun) by one',
    check: (kind) => {
      if (!attemptField(kind)) throw fail(NOT_RETRYABLE);
    },
    act: async (conn, kind, name) => {
      const { from, to, field } = await retryRun(conn.client, kind, conn.namespace, name);
      return `${qualifiedName(kind)}/${name} retried (spec.${field} ${from} -> ${to})`;
    },
  });
}
