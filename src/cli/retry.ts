// `orchestrator retry <kind> <name>`: runs a finished (or stuck) run again (src/runs/retry.ts).
import type { Command } from 'commander';
import { attemptField } from '../api/index.js';
import { NOT_RETRYABLE, retryRun } from '../runs/index.js';
import { type CliIO, fail } from './io.js';
import { qualifiedName, runPath } from './kinds.js';
import { registerRunVerb } from './run-verb.js';

export function registerRetryCommand(program: Command, io: CliIO): void {
  registerRunVerb(program, io, {
    name: 'retry',
    description: 'run a run again: raise spec.retryAttempt (TaskRun) or spec.contextVersion (CodeRun) by one',
    check: (kind) => {
      if (!attemptField(kind)) throw fail(NOT_RETRYABLE);
    },
    act: async (conn, kind, name) => {
      const ref = `${qualifiedName(kind)}/${name}`;
      if (conn.viaApi) {
        const run = await conn.client.request('POST', `${runPath(kind, conn.namespace, name)}/retry`);
        const field = attemptField(kind) as string;
        return `${ref} retried (spec.${field} now ${(run.spec as Record<string, unknown>)[field]})`;
      }
      const { from, to, field } = await retryRun(conn.client, kind, conn.namespace, name);
      return `${ref} retried (spec.${field} ${from} -> ${to})`;
    },
  });
}
