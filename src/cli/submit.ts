// Creating runs the CLI built (or read), or printing them for --dry-run, and with --wait following
// them to their end: what `task code|docs|submit` and `run -p` share.
import { stringify } from 'yaml';
import { createRuns, type RunDocument } from './create.js';
import { dryRunRefusals } from './dry-run.js';
import { CliExit, type CliIO, fail } from './io.js';
import { type KubeFlags, withConnection } from './kube.js';
import { waitForRuns } from './wait.js';

export interface SubmitFlags extends KubeFlags {
  /** --dry-run (client: printed) or --dry-run=server (admitted by the cluster, not stored). */
  dryRun?: boolean | string;
  wait?: boolean;
  timeout: string;
}

/** Whether the runs are only printed (`--dry-run`, `--dry-run=client`), not sent to the cluster. */
export const isClientDryRun = (flags: Pick<SubmitFlags, 'dryRun'>): boolean =>
  flags.dryRun !== undefined && flags.dryRun !== false && flags.dryRun !== 'server';

/** Creates the runs (or prints them for --dry-run) and, with --wait, follows them to the end. */
export async function submit(docs: RunDocument[], flags: SubmitFlags, io: CliIO): Promise<void> {
  const serverDryRun = flags.dryRun === 'server';
  if (flags.dryRun !== undefined && flags.dryRun !== true && flags.dryRun !== 'client' && !serverDryRun)
    throw fail(`--dry-run=${flags.dryRun}: use --dry-run (client: print) or --dry-run=server`);
  if (flags.dryRun && !serverDryRun) {
    const refusals = dryRunRefusals(docs);
    if (refusals.length)
      throw fail(
        `admission would refuse it (checked offline; --dry-run=server asks the cluster):\n  ${refusals.join('\n  ')}`,
      );
    io.out(docs.map((d) => stringify(d.object)).join('---\n'));
    return;
  }
  const code = await withConnection(flags, async (conn) => {
    const created = await createRuns(conn, docs, io, { serverDryRun });
    return flags.wait ? waitForRuns(conn, created, io, flags.timeout) : 0;
  });
  if (code !== 0) throw new CliExit(code);
}
