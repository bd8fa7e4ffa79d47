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

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
  fingerprint: string;
}

/**
 * Reads the pair and proves it is usable (the key matches the certificate, and both suit the `tls`
 * options) before anyone serves it.
 */
export function loadKeyPair(files: CertificateFiles, tls: SecureContextOptions = {}): KeyPair {
  const { cert, key } = readPair(files);
  return provePair(cert, key, tls);
}

const readPair = (files: CertificateFiles) => ({
  cert: readFileSync(files.certFile),
  key: readFileSync(files.keyFile),
});

function provePair(cert: Buffer, key: Buffer, tls: SecureContextOptions): KeyPair {
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
  opts: ReloadOptions & {
    /** The pair the server was created with. Default: read from `files` now. */
    serving?: KeyPair;
  } = {},
): () => void {
  const tls = opts.tls ?? {};
  let current = opts.serving ?? loadKeyPair(files, tls);
  const check = () => {
    let next: KeyPair;
    try {
      const { cert, key } = readPair(files);
      // Unchanged files (every poll, most events) are not proven again.
      if (cert.equals(current.cert) && key.equals(current.key)) return;
      next = provePair(cert, key, tls);
    } catch (err) {
      opts.onError?.(err as Error);
      return;
    }
    server.setSecureContext({ ...tls, cert: next.cert, key: next.key });
    const changed = next.fingerprint !== current.fingerprint;
    current = next;
    if (changed) opts.onReload?.(current.fingerprint);
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
