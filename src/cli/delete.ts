// `orchestrator delete <kind> <name>`: deletes a run, as `kubectl delete` would; the controller's
// finalizer then removes what the run made (its Jobs, ConfigMaps, token Secrets) before the run goes.
// `--wait` follows it until it is gone; `cancel` is the verb that stops a run and keeps its record.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { isNotFound } from '../runtime/index.js';
import { parseDuration } from './duration.js';
import { CliExit, type CliIO, fail } from './io.js';
import { KIND_HELP, parseRef, qualifiedName, runPath } from './kinds.js';
import { addApiOptions, addKubeOptions, type KubeFlags, withConnection } from './kube.js';

const POLL_MS = 1000;
export const DELETE_WAIT_TIMEOUT = '5m';

interface DeleteFlags extends KubeFlags {
  wait?: boolean;
  timeout: string;
}

export function registerDeleteCommand(program: Command, io: CliIO): void {
  addApiOptions(
    addKubeOptions(
      program
        .command('delete')
        .description(
          "delete a run and, by the controller's finalizer, what it made (cancel keeps its record)",
        )
        .argument('<kind>', `${KIND_HELP}, or kind/name`)
        .argument('[name]', 'the run')
        .option('--wait', 'wait until the finalizer has run and the run is gone; exit 2 on timeout')
        .option('--timeout <duration>', 'how long --wait waits', DELETE_WAIT_TIMEOUT),
    ),
  ).action(async (kindArg: string, nameArg: string | undefined, flags: DeleteFlags) => {
    const { kind, name } = parseRef(kindArg, nameArg);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const ref = `${qualifiedName(kind)}/${name}`;
    const code = await withConnection(flags, async (conn) => {
      const path = runPath(kind, conn.namespace, name);
      try {
        await conn.client.request('DELETE', path);
      } catch (err) {
        if (isNotFound(err)) throw fail(`${ref} not found in namespace "${conn.namespace}"`);
        throw err;
      }
      io.out(`${ref} deleted\n`);
      if (!flags.wait) return 0;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await conn.client.request('GET', path);
        } catch (err) {
          if (isNotFound(err)) return 0;
          throw err;
        }
        if (Date.now() >= deadline) {
          io.err(`error: ${ref} is still there after ${flags.timeout} (its finalizer has not finished)\n`);
          return 2;
        }
        await sleep(POLL_MS);
      }
    });
    if (code !== 0) throw new CliExit(code);
  });
}
