import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { packageRoot, tailFile } from '../util/index.js';
import { prioritiseBuild } from './build-priority.js';
import { withDirectoryLock } from './lock.js';
import { treeCpuSeconds } from './process-tree.js';
import { versionStamp } from './version-stamp.js';

export interface BinaryOptions {
  /** The Go module to build. Default: the component's folder under `cluster/` in this package. */
  moduleDir?: string;
  /** Where built binaries are kept, one folder per module hash. Default: see {@link cacheRoot}. */
  cacheDir?: string;
  /** Build time limit. Default 40 minutes: a cold build on 2 cores downloads and compiles Kubernetes. */
  timeoutMs?: number;
  /** Progress messages (the build takes minutes when cold). Default: silent. */
  log?: (message: string) => void;
  /** How often a running build reports progress through `log`. Default 15 s. */
  progressIntervalMs?: number;
  /** Stops a build under way (its `go build` is killed): a start given up need not finish it. */
  signal?: AbortSignal;
}

/** A binary built from one of this package's Go modules (`cluster/<module>`). */
export interface GoComponent {
  /** The cache folder and the binary's file name; also the module's folder when `module` is not set. */
  name: string;
  /** The module's folder under `cluster/`, when it builds more than one binary. Default: `name`. */
  module?: string;
  /** What `go build` builds, relative to the module: `.` or a package of a `tool` directive. */
  target: string;
  /** Its name in progress and error messages. */
  label: string;
  /** What it holds, for the first progress message. */
  holds: string;
  /**
   * Files that a dependency's repository keeps as symlinks, which module zips leave out (argoexec's
   * signal_linux.go is a link to signal_darwin.go): made again in a vendored copy (see buildDir),
   * `path` linking to `target`, both relative to `module`'s root, as in the repository's checkout.
   */
  symlinks?: readonly { module: string; path: string; target: string }[];
  /** The go.mod requirement whose release the binary reports as its version (see versionStamp). */
  reportsVersionOf?: string;
}

/**
 * The local control plane's first binary (`cluster/control-plane`): what admission needs, the `start`
 * supervisor with kube-apiserver and embedded etcd, and kubectl. The module's two others are built
 * only for a mode that runs them, and after it when a first start brings up the apiserver first.
 */
export const CONTROL_PLANE: GoComponent = {
  name: 'control-plane',
  target: '.',
  label: 'the control plane',
  holds: 'kube-apiserver + etcd, kubectl',
  reportsVersionOf: 'k8s.io/kubernetes',
};

/** kube-controller-manager and kube-scheduler (`cluster/control-plane/controllers`). */
export const CONTROLLERS: GoComponent = {
  name: 'control-plane-controllers',
  module: 'control-plane',
  target: './controllers',
  label: 'the controllers',
  holds: 'kube-controller-manager, kube-scheduler',
};

/** The real node's kubelet and kube-proxy (`cluster/control-plane/node`). */
export const NODE: GoComponent = {
  name: 'control-plane-node',
  module: 'control-plane',
  target: './node',
  label: 'the real node',
  holds: 'kubelet, kube-proxy',
};

/** KWOK, the kubelet of the fake nodes (`cluster/kwok`: a go.mod whose `tool` is kwok's command). */
export const KWOK: GoComponent = {
  name: 'kwok',
  target: 'sigs.k8s.io/kwok/cmd/kwok',
  label: 'kwok',
  holds: "the fake nodes' kubelet",
};

/**
 * The real node's NetworkPolicy engine (`cluster/kube-router`: a go.mod whose `tool` is kube-router's
 * command), run with its network policy controller alone (StartOptions.networkPolicies).
 */
export const KUBE_ROUTER: GoComponent = {
  name: 'kube-router',
  target: 'github.com/cloudnativelabs/kube-router/v2/cmd/kube-router',
  label: 'kube-router',
  holds: "the real node's NetworkPolicy engine",
};

/** The pod sandboxes' pause program of the real node (`cluster/pause`, no dependencies, static). */
export const PAUSE: GoComponent = {
  name: 'pause',
  target: '.',
  label: 'the pause program',
  holds: "the real node's pod sandbox process",
};

/** `$ORCHESTRATOR_CACHE_DIR`, else `$XDG_CACHE_HOME/orchestrator`, else `~/.cache/orchestrator`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ORCHESTRATOR_CACHE_DIR) return env.ORCHESTRATOR_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'orchestrator');
}

/**
 * The cache key: a hash of every file that decides the binary (Go sources of the module's packages at
 * any depth, go.mod, go.sum) and of the Go toolchain version, so a changed module or toolchain never
 * reuses a stale binary. Folders Go ignores (`.x`, `_x`, testdata) and vendor/ are left out.
 */
export function moduleHash(moduleDir: string, goVersion: string): string {
  const hash = createHash('sha256').update(goVersion);
  const ignored = (segment: string) =>
    /^[._]/.test(segment) || segment === 'testdata' || segment === 'vendor';
  const files = readdirSync(moduleDir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(sep).join('/'))
    .filter((f) => {
      const segments = f.split('/');
      const name = segments.pop() ?? '';
      return !segments.some(ignored) && (name.endsWith('.go') || name === 'go.mod' || name === 'go.sum');
    })
    .sort();
  for (const f of files) hash.update(`\0${f}\0`).update(readFileSync(join(moduleDir, f)));
  return hash.digest('hex').slice(0, 16);
}

function goVersion(): string {
  const res = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 30_000, env: goEnv() });
  if (res.error || res.status !== 0) {
    throw new Error(
      'The local control plane is built from Go modules, and `go` (Go ≥ 1.26) was not found or failed: ' +
        `${res.error?.message ?? res.stderr}. Install Go, or use an existing cluster ` +
        '(KUBECONFIG=… USE_EXISTING_CLUSTER=true) or envtest binaries (KUBEBUILDER_ASSETS=…).',
    );
  }
  return res.stdout.trim();
}

/**
 * `go build`'s flags. No debug information (`-ldflags=-s -w`, `-gcflags=all=-dwarf=false`): nobody runs
 * a debugger on these programs, and leaving it out saves the compiler and the linker work on every
 * package (a panic's stack trace keeps its function names and lines). The cache key
 * ({@link moduleHash}) leaves these flags out (a binary built with others still serves), but not the
 * version a component reports.
 */
function goBuildFlags(component: GoComponent, moduleDir: string): string[] {
  const ldflags = ['-s', '-w', ...linkerStamp(component, moduleDir)].join(' ');
  return ['-trimpath', `-ldflags=${ldflags}`, '-gcflags=all=-dwarf=false'];
}

/** The version the linker writes into the binary; part of its cache key (none: the key as before). */
function linkerStamp(component: GoComponent, moduleDir: string): string[] {
  return component.reportsVersionOf ? versionStamp(moduleDir, component.reportsVersionOf) : [];
}

/**
 * The environment of the go command. Its compilers collect garbage a quarter as often as by default
 * (GOGC=400, unless the caller set one): a cold build of KWOK took 17% less CPU so, its largest
 * process less than 0.5 GB (docs/benchmarks.md "Building the Go programs").
 */
export function goEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { GOGC: '400', ...env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
}

/** Where a component's binary for the current module is, or will be once built. */
function binaryPath(component: GoComponent, opts: BinaryOptions): { moduleDir: string; binary: string } {
  const moduleDir = opts.moduleDir ?? join(packageRoot(), 'cluster', component.module ?? component.name);
  const key = moduleHash(moduleDir, [goVersion(), ...linkerStamp(component, moduleDir)].join(' '));
  return { moduleDir, binary: join(opts.cacheDir ?? cacheRoot(), component.name, key, component.name) };
}

/** Whether a component's binary for the current module is cached: using it takes no build. */
export function isBuilt(component: GoComponent, opts: BinaryOptions = {}): boolean {
  return existsSync(binaryPath(component, opts).binary);
}

/**
 * Path of a component's binary for the current module, building it first when not cached. The cache
 * key is the module's hash ({@link moduleHash}); a directory lock keeps parallel runs from building
 * the same binary twice.
 */
export async function moduleBinary(component: GoComponent, opts: BinaryOptions = {}): Promise<string> {
  const { moduleDir, binary } = binaryPath(component, opts);
  const dir = dirname(binary);
  if (existsSync(binary)) return binary;
  opts.signal?.throwIfAborted();
  mkdirSync(dir, { recursive: true });
  // Parallel test runs (or a test run beside `orchestrator cluster up`) must not build twice at once.
  await withDirectoryLock(join(dir, '.lock'), opts.timeoutMs ?? 40 * 60_000, async () => {
    if (existsSync(binary)) return;
    await goBuild(component, moduleDir, binary, opts);
  });
  return binary;
}

/** Path of the control-plane binary (`cluster/control-plane`, or `opts.moduleDir`). */
export function controlPlaneBinary(opts: BinaryOptions = {}): Promise<string> {
  return moduleBinary(CONTROL_PLANE, opts);
}

/** Path of the controllers binary (of `cluster/control-plane`, or `opts.moduleDir`). */
export function controllersBinary(opts: BinaryOptions = {}): Promise<string> {
  return moduleBinary(CONTROLLERS, opts);
}

/** Path of the real node's binary (of `cluster/control-plane`, or `opts.moduleDir`). */
export function nodeBinary(opts: BinaryOptions = {}): Promise<string> {
  return moduleBinary(NODE, opts);
}

/** Path of kube-router (`cluster/kube-router`; `opts.moduleDir`, the control plane's, does not apply). */
export function kubeRouterBinary(opts: BinaryOptions = {}): Promise<string> {
  return moduleBinary(KUBE_ROUTER, { ...opts, moduleDir: undefined });
}

/** How often a build's CPU is sampled: the last sample misses at most this much of its end. */
const CPU_SAMPLE_MS = 1_000;

/** Lines `go build -v` wrote so far: one per package compiled. */
function countLines(path: string): { count: number; last: string } {
  try {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    return { count: lines.length, last: lines[lines.length - 1] ?? '' };
  } catch {
    return { count: 0, last: '' };
  }
}

/**
 * Where to build: the module itself, or, for a component with `symlinks`, a copy of its go.mod and
 * go.sum beside `binary` with the dependencies vendored (`go mod vendor`, sums checked) and each link
 * made in vendor/: the module cache is read-only and `go build -overlay` refuses files in it.
 */
function buildDir(component: GoComponent, moduleDir: string, binary: string): { cwd: string; flags: string } {
  if (!component.symlinks?.length) return { cwd: moduleDir, flags: '-mod=readonly' };
  const work = `${binary}.vendored`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const file of ['go.mod', 'go.sum']) copyFileSync(join(moduleDir, file), join(work, file));
  const res = spawnSync('go', ['mod', 'vendor'], {
    cwd: work,
    env: goEnv(),
    encoding: 'utf8',
    timeout: 20 * 60_000,
  });
  if (res.status !== 0) throw new Error(`go mod vendor for ${component.label} failed: ${res.stderr}`);
  for (const link of component.symlinks) {
    const path = join(work, 'vendor', link.module, link.path);
    symlinkSync(relative(dirname(path), join(work, 'vendor', link.module, link.target)), path);
  }
  return { cwd: work, flags: '-mod=vendor' };
}

async function goBuild(
  component: GoComponent,
  moduleDir: string,
  binary: string,
  opts: BinaryOptions,
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 40 * 60_000;
  const logPath = `${binary}.build.log`;
  const partial = `${binary}.partial`;
  rmSync(partial, { force: true });
  opts.log?.(
    `building ${component.label} (${component.holds}) from ${moduleDir}, minutes when cold; log: ${logPath}`,
  );
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
  // A cold build is silent for minutes: say what is going on at least every 15 s (`-v` lists each
  // package as it is compiled; modules are downloaded first, without a line).
  const ticker = setInterval(() => {
    const { count, last } = countLines(logPath);
    const what = count > 0 ? `${count} packages compiled, last ${last}` : 'downloading modules';
    opts.log?.(`still building ${component.name}: ${seconds()} s (${what})`);
  }, opts.progressIntervalMs ?? 15_000);
  const logFd = openSync(logPath, 'w');
  let cpuSeconds = 0;
  try {
    const { cwd, flags } = buildDir(component, moduleDir, binary);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        'go',
        ['build', ...goBuildFlags(component, moduleDir), '-v', '-o', partial, component.target],
        {
          cwd,
          env: { ...goEnv(), GOFLAGS: flags },
          stdio: ['ignore', logFd, logFd],
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
      );
      // Set before go starts its compilers (it loads the module graph first), which inherit it.
      const ended = child.pid === undefined ? () => false : prioritiseBuild(child.pid);
      const pid = child.pid;
      // go and its compilers' CPU, sampled each second: what a cold run's budget is spent on.
      const sampler =
        pid === undefined
          ? undefined
          : setInterval(() => {
              cpuSeconds = Math.max(cpuSeconds, treeCpuSeconds(pid));
            }, CPU_SAMPLE_MS);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('exit', (c) => {
        clearTimeout(timer);
        clearInterval(sampler);
        ended();
        resolve(c);
      });
    });
    if (code !== 0) {
      throw new Error(
        `building ${component.label} failed (exit ${code ?? 'killed after timeout'}); ` +
          `tail of ${logPath}:\n${tailFile(logPath, 40)}`,
      );
    }
  } finally {
    clearInterval(ticker);
    closeSync(logFd);
    rmSync(`${binary}.vendored`, { recursive: true, force: true });
  }
  renameSync(partial, binary);
  opts.log?.(`built ${component.name} in ${seconds()} s (about ${cpuSeconds.toFixed(0)} CPU-s)`);
}
