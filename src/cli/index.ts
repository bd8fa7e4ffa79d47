// The `orchestrator` command, also run by kubectl as a plugin (docs/design.md §1.5): a file per command,
// each registering itself on the program main.ts builds, and the pieces several commands share. The entry
// point is main.ts (bin/orchestrator.js loads it from the build), not this index.
// - apiserver-policy.ts: the agents' apiserver NetworkPolicy read from this cluster's addresses (egress, install).
// - cancel.ts: `orchestrator cancel`: a run stopped with its record kept (src/runs/cancel.ts).
// - certs.ts: `orchestrator certs`: development certificates.
// - cluster-config.ts: the controller config the installed manager reads (doctor's, task's defaults).
// - cluster.ts: `orchestrator cluster up|down|env`: the local control plane as a background process.
// - config-convert.ts: `orchestrator config convert`: a seed's Helm values or config.yaml as this project's config.
// - completion.ts: `orchestrator completion bash|zsh|fish`, generated from the command tree.
// - complete.ts: `orchestrator __complete` (hidden): the run names and namespaces a completion asks for.
// - create.ts: run documents read from `-f` files (task submit, render), and runs created on the server,
//   each reported as kubectl reports it.
// - delete.ts: `orchestrator delete`: a run deleted, --wait until its finalizer has run.
// - describe.ts: `orchestrator describe`: a run as kubectl describe shows an object, attempts and Events.
// - doctor.ts: `orchestrator doctor`: the install checked (src/doctor), against the installed manager's config.
// - dry-run.ts: a client `--dry-run`'s runs checked offline as admission would, before they are printed.
// - duration.ts: durations as users type them and ages as kubectl prints them.
// - examples.ts: the `Examples:` of every command's help, one table by command path.
// - egress.ts: `orchestrator egress manifests`: the egress proxy's objects and the agents' NetworkPolicies, as YAML.
// - follow-rounds.ts: the loop of `logs -f`, a failed round tried again after a growing pause.
// - get.ts: `orchestrator get`: runs in the CRDs' printer columns, or as json, yaml, name, wide.
// - get-watch.ts: `get -w`: the list, then each change, through the runtime's informer.
// - git.ts: defaults for `task code` and `task docs` from the git checkout in the current directory.
// - install.ts: `orchestrator install` and `uninstall`: the cluster-wide parts, in order and in reverse.
// - io.ts: where commands write and how they end (CliIO), so tests call main() in-process.
// - jsonpath.ts: `-o jsonpath=` and `-o custom-columns=`: kubectl's template layer, JSONPath by jsonpath-plus.
// - kinds.ts: the run kinds as users spell them on the command line.
// - kube.ts: connecting to a cluster the way kubectl does, and the two usual problems in one message each.
// - log-errors.ts: what a failed pod log request means: the apiserver's answer or the kubelet's.
// - log-window.ts: `logs --tail/--since`: a window of the log, resumed by timestamp after a reconnect.
// - logs-api.ts: `logs --api-url`: a run's log through the REST API, attempt after attempt with -f.
// - logs-options.ts: what `logs` reads and how, from the cluster or through the REST API.
// - logs.ts: `orchestrator logs`, following a run across attempts and reconnects.
// - main.ts: the entry point: the command tree, each command's module loaded only when it runs, and main(argv).
// - progress.ts: what `--wait` prints: pure functions of the objects seen, so they unit-test.
// - render.ts: `orchestrator render`: a run's templates rendered locally, for debugging templates.
// - prompt-run.ts: `orchestrator run -p`: a TaskRun from a prompt, its flags and where the prompt comes from.
// - rest-client.ts: the commands through the REST API (`--api-url`) instead of the apiserver.
// - retry.ts: `orchestrator retry` (src/runs/retry.ts).
// - run-verb.ts: a command acting on one run, then following it with --wait (retry, cancel).
// - run.ts: `orchestrator run`: the manager's flags, handed to src/app, or with -p a prompt run's.
// - sse-events.ts: the REST API's watch stream read back into the apiserver's watch events.
// - submit.ts: creating the runs a command built (or printing them for --dry-run), then --wait.
// - table.ts: kubectl's table from the CRDs' printer columns, so a new column needs no code.
// - task-defaults.ts: the GitHub App of `task code|docs` when no flag names one: the cluster config's.
// - task-flags.ts: the flags of `task code` and `task docs` made a CodeRun or DocsRun, pure but for git.
// - task.ts: `orchestrator task code|docs|submit`: starting runs.
// - validate.ts: `orchestrator validate`: the admission checks offline, for CI and pre-commit hooks.
// - version.ts: `orchestrator version`: the CLI's and the cluster's manager Deployments'.
// - wait.ts: `--wait` and `orchestrator wait`: a run followed by a watch to its outcome's exit code.
export { main, program } from './main.js';
