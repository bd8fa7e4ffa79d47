// buildah, the image builder of the real node's images (real-node-images.ts, agent-image.ts): one
// storage directory per use, a time limit on every call, its stderr in the error.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { tailFile } from '../util/index.js';

export interface BuildahStorage {
  /** Holds buildah's root and runroot. */
  dir: string;
  /** vfs (default: works anywhere, copies every layer) or overlay (shares layers: big images). */
  driver?: 'vfs' | 'overlay';
}

const storageArgs = (s: BuildahStorage) => [
  '--root',
  join(s.dir, 'root'),
  '--runroot',
  join(s.dir, 'run'),
  '--storage-driver',
  s.driver ?? 'vfs',
];

/** A short buildah command (default limit 2 min); its stdout, or throws with its stderr. */
export function buildah(storage: BuildahStorage, args: string[], timeoutMs = 120_000): string {
  const res = spawnSync('buildah', [...storageArgs(storage), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (res.error || res.status !== 0)
    throw new Error(`buildah ${args.join(' ')} failed: ${res.error?.message ?? res.stderr.trim()}`);
  return res.stdout.trim();
}

/** Whether the storage holds an image of this name. */
export function hasImage(storage: BuildahStorage, name: string): boolean {
  const res = spawnSync('buildah', [...storageArgs(storage), 'inspect', '--type', 'image', name], {
    stdio: 'ignore',
    timeout: 30_000,
  });
  return res.status === 0;
}

/**
 * A long command (a build) run without blocking the event loop, its output appended to `log`; rejects
 * with the log's tail when it fails or outlives `timeoutMs`.
 */
export function runLogged(command: string, args: string[], log: string, timeoutMs: number): Promise<void> {
  const fd = openSync(log, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${command} ${args.slice(0, 3).join(' ')}… ${signal ? `was stopped (${signal}, limit ${timeoutMs / 1000} s)` : `exited with ${code}`}; the end of ${log}:\n${tailFile(log, 40)}`,
          ),
        );
    });
  });
}

/** buildah with this storage, as {@link runLogged} runs it. */
export const buildahLogged = (storage: BuildahStorage, args: string[], log: string, timeoutMs: number) =>
  runLogged('buildah', [...storageArgs(storage), ...args], log, timeoutMs);

/** A content hash (hex, 12 digits) of these parts: an image's tag. */
export function contentTag(parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex').slice(0, 12);
}
