// A command that acts on one run (`<kind> <name>` or `kind/name`), prints one line, and with `--wait`
// follows the run to its end: `retry` and `cancel`.
import type { Command } from 'commander';
import type { RunKindName } from '../api/index.js';
import { CliExit, type CliIO } from './io.js';
import { KIND_HELP, parseRef } from './kinds.js';
import { addApiOptions, addKubeOptions, type Connection, type KubeFlags, withConnection } from './kube.js';
import { addWaitOptions, waitForRun } from './wait.js';

export interface RunVerb {
  name: string;
  description: string;
  /** Refuses a kind before connecting (throw fail(...)). */
  check?: (kind: RunKindName) => void;
  /** Acts on the run; resolves to the line printed. */
  act: (conn: Connection, kind: RunKindName, name: string) => Promise<string>;
}

export function registerRunVerb(program: Command, io: CliIO, verb: RunVerb): void {
  const cmd = program
    .command(verb.name)
    .description(verb.description)
    .argument('<kind>', `${KIND_HELP}, or kind/name`)
    .argument('[name]', 'the run');
  addWaitOptions(addApiOptions(addKubeOptions(cmd))).action(
    async (
      kindArg: string,
      nameArg: string | undefined,
      flags: KubeFlags & { wait?: boolean; timeout: string },
    ) => {
      const { kind, name } = parseRef(kindArg, nameArg);
      verb.check?.(kind);
      const code = await withConnection(flags, async (conn) => {
        io.out(`${await verb.act(conn, kind, name)}\n`);
        return flags.wait ? waitForRun(conn, { kind, name, namespace: conn.namespace }, io, flags) : 0;
      });
      if (code !== 0) throw new CliExit(code);
    },
  );
}
