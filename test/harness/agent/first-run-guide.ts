// docs/first-run.md as a script: its shell blocks, each opened by a `# step: <name>` line, run in the
// guide's order by zsh (macOS's shell; the guide is written for bash too) in an empty folder, with the
// test's values for the first block's variables and the programs the guide names on PATH: `kubectl`
// naming the test cluster, `helm` installing from the local registry that stands in for ghcr.io, and
// `orchestrator` the checkout's CLI. What the local cluster cannot do is named here, once, with what
// covers it instead; a step the guide gains and this table does not know is run, so the guide cannot
// grow an untested block unnoticed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../../../src/cluster/index.js';
import { packageRoot } from '../../../src/util/index.js';
import { type CommandResult, runCommand } from '../cluster/cluster.js';

/** The guide, from the package root. */
export const FIRST_RUN_GUIDE = join(packageRoot(), 'docs', 'first-run.md');

/** The step that names the reader's values (`export NAME=value` lines), replaced by the test's. */
export const VALUES_STEP = 'values';

/** The steps the local cluster cannot take, and what stands in for each. */
export const NOT_RUN: Readonly<Record<string, string>> = Object.freeze({
  cluster:
    'kind runs its node in Docker, which this machine has not: the local cluster with its real node is the cluster',
  'app-create':
    "GitHub's pages in a browser: no stand-in can follow them; app-secret reads the answer GitHub's conversion API gives, which the test writes",
});

/** The file app-create leaves for app-secret: GitHub's answer to the manifest's conversion. */
export const APP_ANSWER_FILE = 'app.json';

export interface GuideStep {
  name: string;
  script: string;
}

/** The guide's shell blocks in order; a block without its `# step:` line is an error. */
export function guideSteps(markdown = readFileSync(FIRST_RUN_GUIDE, 'utf8')): GuideStep[] {
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

/** A step's commands, one per line, its continuation lines joined and its comments dropped. */
export function commandLines(script: string): string[] {
  return script
    .replaceAll(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The programs the guide runs, as the test gives them: each a POSIX shell script's body, by name. */
export interface GuidePrograms {
  kubectl: string;
  helm: string;
  orchestrator: string;
}

/** A program's body that runs `command` with the arguments given. */
export const execs = (command: string[]) => `exec ${command.map(shellQuote).join(' ')} "$@"`;

export interface FollowedGuide {
  /** The folder the steps run in (app-secret reads APP_ANSWER_FILE there). */
  dir: string;
  /** Runs the guide's steps from `from` to `to` (inclusive) but the values and NOT_RUN ones; their output by step. */
  run(from: string, to: string): Promise<Map<string, CommandResult>>;
  remove(): void;
}

/**
 * The guide ready to follow with `values` (checked against the values step's) and `programs`: each
 * step in a fresh zsh (`-e -o pipefail`) in an empty folder, stopping at the first that fails.
 */
export function followGuide(
  cluster: Cluster,
  values: Record<string, string>,
  programs: GuidePrograms,
): FollowedGuide {
  const steps = guideSteps();
  const wanted = guideValues(steps).sort();
  const given = Object.keys(values).sort();
  if (wanted.join() !== given.join())
    throw new Error(
      `docs/first-run.md's values are ${wanted.join(', ')}; the test gives ${given.join(', ')}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'first-run-'));
  const bin = mkdtempSync(join(tmpdir(), 'first-run-bin-'));
  for (const [name, body] of Object.entries(programs))
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const env = {
    ...process.env,
    ...values,
    KUBECONFIG: cluster.kubeconfig,
    PATH: `${bin}:${process.env.PATH}`,
  };
  const indexOf = (name: string) => {
    const at = steps.findIndex((s) => s.name === name);
    if (at < 0) throw new Error(`docs/first-run.md has no step ${name}`);
    return at;
  };
  return {
    dir,
    async run(from, to) {
      const outputs = new Map<string, CommandResult>();
      for (const step of steps.slice(indexOf(from), indexOf(to) + 1)) {
        if (step.name === VALUES_STEP || step.name in NOT_RUN) continue;
        const script = `cd ${shellQuote(dir)}\n${step.script}`;
        const result = await runCommand(
          ['zsh', '-e', '-o', 'pipefail', '-c', script],
          undefined,
          20 * 60_000,
          env,
        );
        outputs.set(step.name, result);
        if (result.code !== 0)
          throw new Error(
            `docs/first-run.md step ${step.name} exited ${result.code}:\n${result.stdout}${result.stderr}`,
          );
      }
      return outputs;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(bin, { recursive: true, force: true });
    },
  };
}

/** `text` as one word of a POSIX shell. */
export const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
