// `orchestrator install` / `uninstall`: the cluster-wide parts into the current context: the CRDs
// through the API client (waiting until they are served), then with the kubectl on PATH (or
// ORCHESTRATOR_KUBECTL) the namespace and RBAC, the egress proxy (config/egress), the agent sandbox (config/agents) in the namespace
// where runs live (-n, else the context's), and the webhook configurations: service-based from
// webhooks/ (cert-manager injects the CA), or with --webhook-url/--ca-file for a webhook server outside
// the cluster. Uninstall removes them in reverse, the CRDs last, after the runs (whose finalizers need
// the controller, or are removed when it is gone). With the agent sandbox goes the agents' apiserver
// NetworkPolicy, read from this cluster's apiserver addresses (cli/apiserver-policy.ts), so agents with
// clusterAccess keep the apiserver where NetworkPolicies are enforced (decision 0046).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { kindFacts, RUN_KIND_NAMES } from '../api/index.js';
import { AGENT_SANDBOX_DIR, installCrds, runKubectl } from '../cluster/index.js';
import { APISERVER_POLICY_NAME } from '../egress/index.js';
import type { KubeObject } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';
import { localConfigurations } from '../webhook/index.js';
import { readApiserverPolicy } from './apiserver-policy.js';
import { parseDuration } from './duration.js';
import { type CliIO, fail } from './io.js';
import { runPath } from './kinds.js';
import {
  addKubeOptions,
  type Connection,
  DEFAULT_REQUEST_TIMEOUT,
  type KubeFlags,
  withConnection,
} from './kube.js';

export interface InstallStep {
  /** Relative to the package root. */
  path: string;
  /** `-k` for a kustomize directory, `-f` for plain manifests. */
  apply: '-k' | '-f';
  /** `runs`: applied to the namespace where runs live (-n, else the context's), not a fixed one. */
  role: 'crds' | 'webhooks' | 'runs' | 'other';
}

/**
 * What install applies, in this order (uninstall deletes in reverse, the CRDs always last). The one
 * place to change when the deploy manifests move; a step whose path is absent is skipped with a note.
 */
export const INSTALL_STEPS: readonly InstallStep[] = [
  { path: 'crds', apply: '-f', role: 'crds' },
  { path: 'config/rbac', apply: '-k', role: 'other' },
  // Egress by allowlist is on in the shipped config: its proxy and the manager's rights on it.
  { path: 'config/egress', apply: '-k', role: 'other' },
  { path: AGENT_SANDBOX_DIR, apply: '-k', role: 'runs' },
  { path: 'webhooks', apply: '-f', role: 'webhooks' },
];

const KUBECTL_TIMEOUT_MS = 120_000;
/** How long the uninstall waits for the CRDs to go once their runs are gone. */
const CRD_DELETE_WAIT_SECONDS = 60;

/** ORCHESTRATOR_KUBECTL (a command line, or a JSON argv array), else `kubectl`, plus the context flags. */
export function kubectlArgv(flags: KubeFlags, env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = env.ORCHESTRATOR_KUBECTL?.trim();
  const base = configured
    ? configured.startsWith('[')
      ? (JSON.parse(configured) as string[])
      : configured.split(/\s+/)
    : ['kubectl'];
  return [
    ...base,
    ...(flags.kubeconfig ? [`--kubeconfig=${flags.kubeconfig}`] : []),
    ...(flags.context ? [`--context=${flags.context}`] : []),
    `--request-timeout=${flags.requestTimeout ?? '30s'}`,
  ];
}

interface InstallFlags extends KubeFlags {
  webhookUrl?: string;
  caFile?: string;
  dryRun?: boolean;
}

/** Objects in a temporary YAML file for kubectl. */
function tempManifests(docs: unknown[]): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-install-'));
  const file = join(dir, 'manifests.yaml');
  writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The webhook configurations rewritten for a URL, in a temporary file for kubectl. */
function urlWebhooksFile(url: string, caFile: string): { file: string; cleanup(): void } {
  let caPem: string;
  try {
    caPem = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw fail(`--ca-file: cannot read ${caFile}: ${(err as Error).message}`);
  }
  if (!caPem.includes('BEGIN CERTIFICATE')) throw fail(`--ca-file: ${caFile} holds no PEM certificate`);
  return tempManifests(localConfigurations({ baseUrl: url.replace(/\/+$/, ''), caPem }));
}

const present = (step: InstallStep) => existsSync(join(packageRoot(), step.path));

/** kubectl's namespace flag for a step: the runs' namespace for the agent sandbox, none otherwise. */
const namespaceArgs = (step: InstallStep, conn: Connection) =>
  step.role === 'runs' ? [`--namespace=${conn.namespace}`] : [];

/** Runs a step, printing kubectl's output; its failure is the command's (not a connection problem). */
async function kubectlStep(io: CliIO, run: () => string | Promise<unknown>): Promise<void> {
  let output: unknown;
  try {
    output = await run();
  } catch (err) {
    throw fail((err as Error).message.trim());
  }
  if (typeof output === 'string') for (const line of output.split('\n').filter(Boolean)) io.out(`${line}\n`);
}

async function install(conn: Connection, flags: InstallFlags, io: CliIO): Promise<void> {
  if ((flags.webhookUrl === undefined) !== (flags.caFile === undefined))
    throw fail('--webhook-url and --ca-file go together (the apiserver must trust the URL)');
  if (flags.webhookUrl && !/^https:\/\//.test(flags.webhookUrl))
    throw fail(`--webhook-url: must be an https:// URL, got "${flags.webhookUrl}"`);
  const kubectl = kubectlArgv(flags);
  const urlHooks = flags.webhookUrl ? urlWebhooksFile(flags.webhookUrl, flags.caFile as string) : undefined;
  try {
    for (const step of INSTALL_STEPS) {
      if (!present(step)) {
        io.err(`skipped ${step.path}: not in this package\n`);
        continue;
      }
      const target = step.role === 'webhooks' && urlHooks ? urlHooks.file : join(packageRoot(), step.path);
      const args = [
        ...(flags.dryRun ? ['apply', '--dry-run=client'] : ['apply', '--server-side', '--force-conflicts']),
        ...namespaceArgs(step, conn),
        step.apply,
        target,
      ];
      if (step.role === 'crds' && !flags.dryRun) {
        const requestTimeoutMs = parseDuration(
          flags.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
          '--request-timeout',
        );
        await kubectlStep(io, () => installCrds(conn.client, { requestTimeoutMs }));
        io.out('CRDs installed and established\n');
      } else await kubectlStep(io, () => runKubectl(kubectl, args, KUBECTL_TIMEOUT_MS));
      if (step.role === 'runs') {
        const policy = tempManifests([await readApiserverPolicy(conn, conn.namespace)]);
        try {
          const applied = [...args.slice(0, -2), '-f', policy.file];
          await kubectlStep(io, () => runKubectl(kubectl, applied, KUBECTL_TIMEOUT_MS));
        } finally {
          policy.cleanup();
        }
      }
    }
  } finally {
    urlHooks?.cleanup();
  }
}

/**
 * Deletes every run and waits for them to go; runs still held by a finalizer after `timeoutMs` (no
 * controller is running to clean up) lose the finalizer, so the CRDs can be deleted at all.
 */
async function deleteRuns(conn: Connection, timeoutMs: number, io: CliIO): Promise<void> {
  const list = async () => {
    const lists = await Promise.all(
      RUN_KIND_NAMES.map(async (kind) => {
        const res = await conn.client.request<{ items?: KubeObject[] }>('GET', runPath(kind));
        return (res.items ?? []).map((item) => ({ kind, item }));
      }),
    );
    return lists.flat();
  };
  const runs = await list();
  for (const { kind, item } of runs) {
    await conn.client
      .request('DELETE', runPath(kind, item.metadata?.namespace, item.metadata?.name))
      .catch(() => undefined);
  }
  if (runs.length) io.out(`deleting ${runs.length} run(s)\n`);
  const deadline = Date.now() + timeoutMs;
  let left = await list();
  while (left.length && Date.now() < deadline) {
    await sleep(500);
    left = await list();
  }
  for (const { kind, item } of left) {
    const finalizers = (item.metadata?.finalizers ?? []).filter((f) => f !== kindFacts(kind).finalizer);
    await conn.client.request('PATCH', runPath(kind, item.metadata?.namespace, item.metadata?.name), {
      body: { metadata: { finalizers, resourceVersion: item.metadata?.resourceVersion } },
      contentType: 'application/merge-patch+json',
    });
  }
  if (left.length)
    io.err(
      `warning: removed the cleanup finalizer from ${left.length} run(s) no controller cleaned up within ${timeoutMs / 1000}s (their PVCs and Jobs may remain)\n`,
    );
}

async function uninstall(conn: Connection, flags: KubeFlags & { timeout: string }, io: CliIO) {
  const kubectl = kubectlArgv(flags);
  const timeoutMs = parseDuration(flags.timeout, '--timeout');
  const steps = INSTALL_STEPS.filter(present);
  const crds = steps.filter((s) => s.role === 'crds');
  const served = await conn.client.request('GET', '/apis/orchestrator.io/v1').then(
    () => true,
    () => false,
  );
  if (served) await deleteRuns(conn, timeoutMs, io);
  for (const step of [...steps.filter((s) => s.role !== 'crds').reverse(), ...crds]) {
    // Only the CRDs are waited for: a namespace needs kube-controller-manager to finish, which a bare
    // control plane lacks, and nothing after it depends on it. Their wait is kubectl's own, not the
    // runs' --timeout: kubectl holds its every request to that deadline, so a short --timeout (the runs
    // may not wait) failed the CRDs' deletion on a slow apiserver.
    const wait = step.role === 'crds' ? [`--timeout=${CRD_DELETE_WAIT_SECONDS}s`] : ['--wait=false'];
    const target = join(packageRoot(), step.path);
    const args = ['delete', '--ignore-not-found', ...wait, ...namespaceArgs(step, conn), step.apply, target];
    if (step.role === 'runs') {
      const policy = ['networkpolicy', APISERVER_POLICY_NAME];
      const del = [...args.slice(0, -2), ...policy];
      await kubectlStep(io, () => runKubectl(kubectl, del, KUBECTL_TIMEOUT_MS + timeoutMs));
    }
    await kubectlStep(io, () => runKubectl(kubectl, args, KUBECTL_TIMEOUT_MS + timeoutMs));
  }
}

export function registerInstallCommands(program: Command, io: CliIO): void {
  addKubeOptions(
    program
      .command('install')
      .description(
        'install the CRDs, namespace, RBAC, egress proxy and webhook configurations into the current context, and the agent sandbox (ServiceAccounts, Role, NetworkPolicies, the apiserver policy) into the namespace of runs (-n)',
      )
      .option('--webhook-url <url>', 'register the webhooks at this https URL (a server outside the cluster)')
      .option('--ca-file <file>', 'CA certificate (PEM) the apiserver trusts for --webhook-url')
      .option('--dry-run', 'show what would be applied (kubectl apply --dry-run=client)'),
  ).action((flags: InstallFlags) =>
    withConnection(flags, (conn) => install(conn, flags, io), { checkCrds: false }),
  );
  addKubeOptions(
    program
      .command('uninstall')
      .description(
        'delete what install applied, the CRDs last: this deletes every TaskRun, CodeRun and DocsRun',
      )
      .option('--yes', 'confirm: every run in every namespace is deleted')
      .option('--timeout <duration>', 'how long runs may take to be cleaned up by the controller', '60s'),
  ).action(async (flags: KubeFlags & { yes?: boolean; timeout: string }) => {
    if (!flags.yes)
      throw fail(
        'uninstall deletes the orchestrator.io CRDs and with them every TaskRun, CodeRun and DocsRun in every namespace; run it again with --yes',
      );
    await withConnection(flags, (conn) => uninstall(conn, flags, io), { checkCrds: false });
  });
}
