// docs/first-run.md as a script: its shell blocks, each opened by a `# step: <name>` line, run in the
// guide's order by bash with the test's values for the first block's variables, `kubectl` on PATH
// and KUBECONFIG naming the test cluster (`npx orchestrator` reads the latter). What the local cluster cannot do is named here, once, with what covers it
// instead; a step the guide gains and this table does not know is run, so the guide cannot grow an
// untested block unnoticed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Cluster } from '../../../src/cluster/index.js';
import { packageRoot } from '../../../src/util/index.js';
import { type CommandResult, kubectl, runCommand } from '../cluster/cluster.js';
import { startTestWebhooks } from '../operator/webhook.js';
import type { agentWorld, Suite } from './agent-world.js';

/** The guide, from the package root. */
export const FIRST_RUN_GUIDE = join(packageRoot(), 'docs', 'first-run.md');

/** Where the guide's install puts the operator, and so the platform's model key (step model-key). */
export const GUIDE_OPERATOR_NAMESPACE = 'orchestrator-system';

/** The step that names the reader's values (`export NAME=value` lines), replaced by the test's. */
export const VALUES_STEP = 'values';

/** The steps the local cluster cannot take, and what stands in for each. */
export const NOT_RUN: Readonly<Record<string, string>> = Object.freeze({
  cluster: 'the local cluster is the cluster (test/harness/cluster)',
  install:
    'the operator runs in the test process with its webhooks (startOperator, startTestWebhooks); the installs themselves: test/integration/in-cluster.test.ts and kustomize-install.test.ts',
  image:
    "the suite builds images/agent and the real node imports it (agentSuite); the guide's value names it",
  'app-create': "GitHub's pages in a browser: no stand-in can follow them",
  'app-secret':
    "needs app-create's answer; the App's Secret and tokens: test/integration/reconcile-github-tokens.test.ts",
});

export interface GuideStep {
  name: string;
  script: string;
}

/** The guide's shell blocks in order; a block without its `# step:` line is an error. */
export function guideSteps(markdown: string): GuideStep[] {
  const steps: GuideStep[] = [];
  for (const [, body = ''] of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const name = /^# step: ([a-z-]+)\n/.exec(body)?.[1];
    if (!name) throw new Error(`a shell block of docs/first-run.md has no "# step: <name>" line:\n${body}`);
    steps.push({ name, script: body });
  }
  return steps;
}

/** The variables the values step exports, in order. */
export function guideValues(steps: GuideStep[]): string[] {
  const values = steps.find((s) => s.name === VALUES_STEP);
  if (!values) throw new Error(`docs/first-run.md has no "${VALUES_STEP}" step`);
  return [...values.script.matchAll(/^export ([A-Z_]+)=/gm)].map((m) => m[1] as string);
}

/**
 * Runs the guide's steps but the values and NOT_RUN ones, each in a fresh bash (`-euo pipefail`) in
 * the package root with `values` in its environment; stops at the first that fails. Their output by step.
 */
export async function followGuide(
  cluster: Cluster,
  values: Record<string, string>,
  timeoutMs: number,
): Promise<Map<string, CommandResult>> {
  const steps = guideSteps(readFileSync(FIRST_RUN_GUIDE, 'utf8'));
  const wanted = guideValues(steps).sort();
  const given = Object.keys(values).sort();
  if (wanted.join() !== given.join())
    throw new Error(
      `docs/first-run.md's values are ${wanted.join(', ')}; the test gives ${given.join(', ')}`,
    );
  const bin = mkdtempSync(join(tmpdir(), 'first-run-bin-'));
  try {
    const [command, ...args] = cluster.kubectl;
    const quoted = [command, ...args].map((a) => shellQuote(String(a))).join(' ');
    writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
    const env = {
      ...process.env,
      ...values,
      KUBECONFIG: cluster.kubeconfig,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
    };
    const outputs = new Map<string, CommandResult>();
    for (const step of steps) {
      if (step.name === VALUES_STEP || step.name in NOT_RUN) continue;
      // In the package root: the guide's relative paths are the checkout's.
      const script = `cd ${shellQuote(packageRoot())}\n${step.script}`;
      const result = await runCommand(['bash', '-euo', 'pipefail', '-c', script], undefined, timeoutMs, env);
      outputs.set(step.name, result);
      if (result.code !== 0)
        throw new Error(
          `docs/first-run.md step ${step.name} exited ${result.code}:\n${result.stdout}${result.stderr}`,
        );
    }
    return outputs;
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

/** `text` as one word of a POSIX shell. */
const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The guide followed in an agent world's namespace, on `repo` (owner/name) of the suite's git host:
 * its runs admitted by the webhooks as a user's `kubectl apply` is, and the world's Secrets (the
 * user's token; the model key, in the world gateway's namespace) deleted first, so that a guide that
 * does not make them fails. The pull requests opened on `repo`, and the
 * steps' output.
 */
export async function followGuideInWorld(
  t: Test,
  suite: Suite,
  world: Awaited<ReturnType<typeof agentWorld>>,
  repo: string,
) {
  const { cluster, git, user } = suite;
  const { ns, config, ops } = world;
  if (ops !== GUIDE_OPERATOR_NAMESPACE)
    throw new Error(
      `the guide runs with the model gateway on, as shipped: agentWorld(…, { operatorNamespace: '${GUIDE_OPERATOR_NAMESPACE}' })`,
    );
  const webhooks = await startTestWebhooks(t, cluster, { config });
  const labels = Object.entries(webhooks.namespaceLabels).map(([k, v]) => `${k}=${v}`);
  await kubectl(cluster, ['label', 'namespace', ns, ...labels]);
  const token = config.secrets.githubToken.name.replace('{githubUser}', user.name);
  for (const [where, name] of [
    [ops, config.gateway.upstream.apiKey.name],
    [ns, token],
  ] as const) {
    const deleted = await kubectl(cluster, ['delete', 'secret', '-n', where, name]);
    if (deleted.code !== 0)
      throw new Error(`the world's Secret ${where}/${name} was not deleted: ${deleted.stderr}`);
  }
  git.repository(`${repo}.git`, 'main', { 'README.md': `# ${repo}\n` });
  const values = {
    NAMESPACE: ns,
    GITHUB_REPO: repo,
    GITHUB_USER: user.name,
    GITHUB_TOKEN: user.token,
    GITHUB_APP: 'not-used-by-a-user-run',
    ANTHROPIC_API_KEY: suite.apiKey,
    AGENT_IMAGE: suite.image,
  };
  const outputs = await followGuide(cluster, values, 20 * 60_000);
  const [owner, name] = repo.split('/');
  return { outputs, pulls: git.pulls.filter((p) => p.owner === owner && p.repo === name) };
}
