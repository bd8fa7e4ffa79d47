// The `Examples:` section of each command's help, in one table keyed by the command's path, so a
// command added without examples fails main.test.ts. Group commands (`task`, `cluster`, `egress`) show
// their subcommands' help instead. A neighbouring command registers its row here.
import type { Command } from 'commander';

export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  run: [
    'orchestrator run                      # no cluster configured: a local control plane',
    'orchestrator run --config config.yaml   # against the current kubectl context',
    'orchestrator run -p "fix the flaky payment test" --repo acme/payments --wait   # a run from a prompt',
  ],
  'cluster up': ['orchestrator cluster up && eval "$(orchestrator cluster env)"'],
  'cluster down': ['orchestrator cluster down'],
  'cluster env': ['eval "$(orchestrator cluster env)"; kubectl get nodes'],
  validate: [
    'orchestrator validate config/samples/*.yaml',
    'orchestrator validate --config my-config.yaml runs/',
  ],
  certs: ['orchestrator certs --out /tmp/certs --dns webhook.example.com'],
  'task code': [
    'orchestrator task code 7 --service payments --wait',
    'orchestrator task code 7 --service payments --dry-run=server   # admitted by the cluster, not stored',
  ],
  'task docs': ['orchestrator task docs --working-directory projects/payments'],
  'task submit': [
    'orchestrator task submit -f config/samples/taskrun.yaml --wait',
    'cat run.yaml | orchestrator task submit -f -',
  ],
  get: [
    'orchestrator get otr -l orchestrator.io/service=payments -o wide',
    "orchestrator get otr payments-task-7 -o jsonpath='{.status.phase}'",
    'orchestrator get otr -w                  # each change as a row, until Ctrl-C',
    'orchestrator get -A -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,COST:.status.usage.costUsd',
  ],
  describe: ['orchestrator describe ocr payments-task-7-rex'],
  retry: ['orchestrator retry taskrun/payments-task-7 --wait'],
  cancel: [
    'orchestrator cancel taskrun payments-task-7          # stopped, Cancelled, usage and results kept',
    'orchestrator cancel coderun/payments-x7k2p --wait    # and wait for the attempt to stop',
  ],
  wait: ['orchestrator wait otr payments-task-7 --timeout 30m'],
  delete: ['orchestrator delete otr payments-task-7 --wait   # gone, with the Jobs and objects it made'],
  version: [
    "orchestrator version            # the CLI's, and the manager Deployments' images the cluster runs",
    'orchestrator version --client   # the CLI alone',
  ],
  doctor: [
    'orchestrator doctor                   # the current kubectl context: every finding with its fix',
    'orchestrator doctor --config my-config.yaml',
  ],
  logs: [
    'orchestrator logs otr payments-task-7 -f',
    'orchestrator logs otr payments-task-7 --init --attempt 1',
    'orchestrator logs otr payments-task-7 --tail 20 -f   # the last 20 lines, then what comes',
  ],
  render: ['orchestrator render -f config/samples/coderun.yaml --attempt 2 --out /tmp/r'],
  install: ['orchestrator install --dry-run', 'orchestrator install -n team-a'],
  uninstall: ['orchestrator uninstall --yes'],
  completion: [
    'source <(orchestrator completion bash)      # in ~/.bashrc',
    'orchestrator completion fish | source',
  ],
  'config convert': [
    "orchestrator config convert values.yaml > controller-config.yaml   # seed 002's Helm values",
    "orchestrator config convert config.yaml --base controller-config.yaml   # then seed 001's config.yaml over it",
  ],
  'egress manifests': [
    'orchestrator egress manifests --config my-config.yaml -n team-a | kubectl apply -f -',
  ],
};

/** The commands under `root` that run something (no subcommands), by path: `task code`, `get`. */
export function leafCommands(root: Command, prefix: string[] = []): Array<[string, Command]> {
  return shownCommands(root).flatMap((c) => {
    const path = [...prefix, c.name()];
    return c.commands.length ? leafCommands(c, path) : [[path.join(' '), c] as [string, Command]];
  });
}

/** A command's subcommands as help lists them: not the hidden ones (`__complete`). */
export function shownCommands(command: Command): Command[] {
  const shown = new Set(command.createHelp().visibleCommands(command));
  return command.commands.filter((c) => shown.has(c));
}

/** Adds each command's examples to its help. */
export function addExamples(root: Command): void {
  for (const [path, command] of leafCommands(root)) {
    const lines = EXAMPLES[path];
    if (lines) command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
}
