import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { tailFile } from '../util/text.js';
import { withDirectoryLock } from './lock.js';

export interface BinaryOptions {
  /** The Go module to build. Default: `cluster/control-plane` in this package. */
  moduleDir?: string;
  /** Where built binaries are kept, one folder per module hash. Default: see {@link cacheRoot}. */
  cacheDir?: string;
  /** Build time limit. Default 40 minutes: a cold build on 2 cores downloads and compiles Kubernetes. */
  timeoutMs?: number;
  /** Progress messages (the build takes minutes when cold). Default: silent. */
  log?: (message: string) => void;
}

/** `$ORCHESTRATOR_CACHE_DIR`, else `$XDG_CACHE_HOME/orchestrator`, else `~/.cache/orchestrator`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ORCHESTRATOR_CACHE_DIR) return env.ORCHESTRATOR_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'orchestrator');
}

/**
 * The cache key: a hash of every file that decides the binary (Go sources, go.mod, go.sum) and of the
 * Go toolchain version, so a changed module or toolchain never reuses a stale binary.
 */
export function moduleHash(moduleDir: string, goVersion: string): string {
  const hash = createHash('sha256').update(goVersion);
  const files = readdirSync(moduleDir)
    .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    .sort();
  for (const f of files) hash.update(`\0${f}\0`).update(readFileSync(join(moduleDir, f)));
  return hash.digest('hex').slice(0, 16);
}

function goVersion(): string {
  const res = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 30_000, env: goEnv() });
  if (res.error || res.status !== 0) {
    throw new Error(
      'The local control plane is built from Go modules, and `go` (Go ≥ 1.25) was not found or failed: ' +
        `${res.error?.message ?? res.stderr}. Install Go, or use an existing cluster ` +
        '(KUBECONFIG=… USE_EXISTING_CLUSTER=true) or envtest binaries (KUBEBUILDER_ASSETS=…).',
    );
  }
  return res.stdout.trim();
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
}

/** Path of the control-plane binary for the current module, building it first when not cached. */
export async function controlPlaneBinary(opts: BinaryOptions = {}): Promise<string> {
  const moduleDir = opts.moduleDir ?? join(packageRoot(), 'cluster', 'control-plane');
  const key = moduleHash(moduleDir, goVersion());
  const dir = join(opts.cacheDir ?? cacheRoot(), 'control-plane', key);
  const binary = join(dir, 'control-plane');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  // Parallel test runs (or a test run beside `orchestrator cluster up`) must not build twice at once.
  await withDirectoryLock(join(dir, '.lock'), opts.timeoutMs ?? 40 * 60_000, async () => {
    if (existsSync(binary)) return;
    await goBuild(moduleDir, binary, opts);
  });
  return binary;
}

async function goBuild(moduleDir: string, binary: string, opts: BinaryOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 40 * 60_000;
  const logPath = `${binary}.build.log`;
  const partial = `${binary}.partial`;
  rmSync(partial, { force: true });
  opts.log?.(`building the local control plane (kube-apiserver + etcd) from ${moduleDir}; log: ${logPath}`);
  const started = Date.now();
  const logFd = openSync(logPath, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('go', ['build', '-trimpath', '-o', partial, '.'], {
        cwd: moduleDir,
        env: goEnv(),
        stdio: ['ignore', logFd, logFd],
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0) {
      throw new Error(
        `building the control plane failed (exit ${code ?? 'killed after timeout'}); ` +
          `tail of ${logPath}:\n${tailFile(logPath, 40)}`,
      );
    }
  } finally {
    closeSync(logFd);
  }
  renameSync(partial, binary);
  opts.log?.(`built the control plane in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
