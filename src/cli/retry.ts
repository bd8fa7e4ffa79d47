// `orchestrator retry <kind> <name>`: runs a finished (or stuck) run again by raising the spec field
// whose increase the controller treats as a new attempt. Optimistic concurrency: the patch carries the
// resourceVersion it was computed from, and a 409 (someone else changed the run) reads and tries again.
import type { Command } from 'commander';
import { attemptField, type RunKindName, specAttempt } from '../api/index.js';
import { ApiError, type KubeObject } from '../runtime/index.js';
import { CliExit, type CliIO, fail } from './io.js';
import { KIND_HELP, parseRef, qualifiedName, runPath } from './kinds.js';
import { addKubeOptions, type Connection, type KubeFlags, withConnection } from './kube.js';
import { runStatus } from './progress.js';
import { addWaitOptions, waitForRun } from './wait.js';

const NOT_RETRYABLE =
  'DocsRuns cannot be retried: a DocsRun has no attempt field in its spec (a TaskRun has spec.retryAttempt, ' +
  'a CodeRun spec.contextVersion) and its workingDirectory is immutable. To run it again, create a new ' +
  'DocsRun with the same spec (`orchestrator get dr <name> -o yaml`, drop metadata.name, status and ' +
  'resourceVersion, then `orchestrator task submit -f`).';

/**
 * The next attempt: one past both the spec's and the status's, since automatic retries may already
 * have run attempts beyond the spec's number and the controller only starts an attempt it has not run.
 */
export function raisedAttempt(kind: RunKindName, run: KubeObject): { from: number; to: number } {
  const from = specAttempt(kind, run.spec as object | undefined);
  return { from, to: Math.max(from, runStatus(run).attempt ?? 0) + 1 };
}

const MAX_CONFLICTS = 5;

export async function retryRun(
  conn: Connection,
  kind: RunKindName,
  name: string,
): Promise<{ from: number; to: number; field: string }> {
  const field = attemptField(kind);
  if (!field) throw fail(NOT_RETRYABLE);
  const path = runPath(kind, conn.namespace, name);
  for (let i = 1; ; i++) {
    const run = await conn.client.request<KubeObject>('GET', path);
    const { from, to } = raisedAttempt(kind, run);
    try {
      await conn.client.request('PATCH', path, {
        body: { metadata: { resourceVersion: run.metadata?.resourceVersion }, spec: { [field]: to } },
        contentType: 'application/merge-patch+json',
      });
      return { from, to, field };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409) || i >= MAX_CONFLICTS) throw err;
    }
  }
}

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
        const { from, to, field } = await retryRun(conn, kind, name);
        io.out(`${qualifiedName(kind)}/${name} retried (spec.${field} ${from} -> ${to})\n`);
        return flags.wait ? waitForRun(conn, { kind, name, namespace: conn.namespace }, io, flags) : 0;
      });
      if (code !== 0) throw new CliExit(code);
    },
  );
}
