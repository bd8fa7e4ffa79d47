// The user CLI called in-process against a test cluster, as `orchestrator ARGS --kubeconfig K [-n NS]`,
// with its output captured (memoryIO).

import { main } from '../../../src/cli/main.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { type MemoryIO, memoryIO } from '../fakes/cli-io.js';

export interface CliOptions {
  /** Appended as `-n NAMESPACE`; none: the command's default namespace. */
  namespace?: string;
  /** What the command reads from standard input. */
  stdin?: string;
  /** Whether stdout is a terminal. Default false. */
  isTTY?: boolean;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts the command; `io` shows its output so far, `done` its exit code. */
export function startCli(
  cluster: Pick<Cluster, 'kubeconfig'>,
  args: string[],
  options: CliOptions = {},
): { io: MemoryIO; done: Promise<number> } {
  const io = memoryIO({
    isTTY: options.isTTY ?? false,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
  const namespace = options.namespace === undefined ? [] : ['-n', options.namespace];
  const done = main(['node', 'orchestrator', ...args, '--kubeconfig', cluster.kubeconfig, ...namespace], io);
  return { io, done };
}

/** Runs the command to its end. */
export async function runCli(
  cluster: Pick<Cluster, 'kubeconfig'>,
  args: string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const { io, done } = startCli(cluster, args, options);
  const code = await done;
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
