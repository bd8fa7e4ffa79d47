import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import type { Server } from 'node:https';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

export interface ReloadOptions {
  /**
   * The server's TLS options besides the pair (minVersion, ciphers...). Node's `setSecureContext`
   * replaces every option, resetting the ones not given to Node's defaults, so they are passed again on
   * every reload. Default: none (Node's defaults).
   */
  tls?: SecureContextOptions;
  /** Backstop for missed file events (Secret volumes swap a symlink). Default 10 s. */
  pollMs?: number;
  onReload?: (fingerprint: string) => void;
  onError?: (err: Error) => void;
}

/**
 * Reads the pair and proves it is usable (the key matches the certificate, and both suit the `tls`
 * options) before anyone serves it.
 */
export function loadKeyPair(
  files: CertificateFiles,
  tls: SecureContextOptions = {},
): { cert: Buffer; key: Buffer; fingerprint: string } {
  const cert = readFileSync(files.certFile);
  const key = readFileSync(files.keyFile);
  createSecureContext({ ...tls, cert, key });
  const fingerprint = createHash('sha256').update(cert).digest('hex').slice(0, 16);
  return { cert, key, fingerprint };
}

/**
 * Swaps the server's certificate when the files change: watch events plus a poll. New connections get
 * the new pair; connections already open keep theirs, so no request fails during a rotation. A bad new
 * pair (half-written, mismatched) is reported and the last good one keeps serving.
 */
export function reloadCertificates(
  server: Server,
  files: CertificateFiles,
  opts: ReloadOptions = {},
): () => void {
  const tls = opts.tls ?? {};
  let current = loadKeyPair(files, tls).fingerprint;
  const check = () => {
    let next: ReturnType<typeof loadKeyPair>;
    try {
      next = loadKeyPair(files, tls);
    } catch (err) {
      opts.onError?.(err as Error);
      return;
    }
    if (next.fingerprint === current) return;
    server.setSecureContext({ ...tls, cert: next.cert, key: next.key });
    current = next.fingerprint;
    opts.onReload?.(current);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(files.certFile), dirname(files.keyFile)])) {
    try {
      watchers.push(watch(dir, { persistent: false }, () => setImmediate(check)));
    } catch (err) {
      opts.onError?.(err as Error);
    }
  }
  const timer = setInterval(check, opts.pollMs ?? 10_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const w of watchers) w.close();
  };
}
