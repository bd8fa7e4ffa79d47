// Helm (test/go-tools, built from the Go module proxy and cached like the cluster's binaries) run on the
// chart in charts/orchestrator, with its own config, cache and data folders so that no Helm setup of
// the machine is read or written.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROL_PLANE } from '../../../src/cluster/binary.js';
import { requiredRelease } from '../../../src/cluster/version-stamp.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { type CommandResult, runCommand } from '../cluster/cluster.js';
import { helmBinary } from '../cluster/test-tools.js';
import { parseObjects } from './kustomize.js';

export const CHART = join(packageRoot(), 'charts', 'orchestrator');
/** The release of the tests, in the kustomize install's namespace (the chart's objects take the release's). */
export const RELEASE = { name: 'orchestrator', namespace: 'orchestrator-system' };
/**
 * The Kubernetes version `helm template` renders for: the local cluster's, which its apiserver reports
 * (cluster/control-plane's k8s.io/kubernetes, src/cluster/version-stamp.ts). Helm built from the
 * module proxy has no version stamped in and would assume v1.20, below the chart's kubeVersion.
 */
export const KUBE_VERSION = (({ major, minor, patch }) => `${major}.${minor}.${patch}`)(
  requiredRelease(join(packageRoot(), 'cluster', 'control-plane'), CONTROL_PLANE.reportsVersionOf ?? ''),
);

/** A copy of the chart, changed by `edit` (e.g. a CRD, the next version for an upgrade). */
export function editedChart(edit: (dir: string) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'helm-chart-copy-')), 'orchestrator');
  cpSync(CHART, dir, { recursive: true });
  edit(dir);
  return dir;
}

export interface Helm {
  /** `helm args…`; never throws on a non-zero exit. */
  run(args: string[]): Promise<CommandResult>;
  /** The command `run` runs (env, then the binary), for a script of the test's (its home folders its own). */
  command: string[];
  /**
   * `helm template` of the chart with these values files and flags (CRDs included; `helm test`'s objects
   * only with `tests`, as they are not part of the install), parsed; throws with helm's stderr.
   */
  template(valuesFiles?: string[], flags?: string[], options?: { tests?: boolean }): Promise<KubeObject[]>;
}

/** helm's own `--timeout=Ns` (its waits for pods), and a minute more for it to say why; else a minute. */
function processLimitMs(args: string[]): number {
  const own = args.map((a) => /^--timeout=(\d+)s$/.exec(a)?.[1]).find((s) => s !== undefined);
  return (Number(own ?? 0) + 60) * 1000;
}

export async function helm(): Promise<Helm> {
  const binary = await helmBinary({ log: (m) => process.stderr.write(`[helm] ${m}\n`) });
  const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  const run = (args: string[]) => runCommand([binary, ...args], undefined, processLimitMs(args), env);
  return {
    run,
    command: [
      'env',
      ...Object.entries(env)
        .filter(([k]) => k.startsWith('HELM_'))
        .map(([k, v]) => `${k}=${v}`),
      binary,
    ],
    async template(valuesFiles = [], flags = [], { tests = false } = {}) {
      const values = valuesFiles.flatMap((f) => ['-f', f]);
      const args = [
        'template',
        RELEASE.name,
        CHART,
        '-n',
        RELEASE.namespace,
        '--include-crds',
        '--kube-version',
        KUBE_VERSION,
        ...values,
        ...flags,
        ...(tests ? [] : ['--skip-tests']),
      ];
      const out = await run(args);
      if (out.code !== 0) throw new Error(`helm ${args.join(' ')} failed: ${out.stderr}`);
      return parseObjects(out.stdout);
    },
  };
}
