import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { hotFiles } from '../watch/index.js';
import type { CertificateMetrics } from './certwatcher-metrics.js';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  /**
   * PEM bundle of the CAs whose client certificates are accepted; reloaded with the pair. Only the
   * server decides whether a client certificate is asked for (https-server.ts). Default none.
   */
  clientCAFile?: string;
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
  /** A new certificate is served (not called for a new key alone). */
  onReload?: (fingerprint: string) => void;
  /** A bad new pair: not served, the last good one stays. Once per distinct pair of files. */
  onError?: (err: Error) => void;
  /** The files cannot be watched: a rotation is seen at the next poll only. */
  onWatchError?: (err: Error) => void;
  /** Counts each read of new files and each failed one. Default: not counted. */
  metrics?: CertificateMetrics;
}

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
  /** The client CA bundle, when there is one. */
  ca?: Buffer;
  fingerprint: string;
}

/**
 * Reads the pair and proves it is usable (the key matches the certificate, and both suit the `tls`
 * options) before anyone serves it.
 */
export function loadKeyPair(
  files: CertificateFiles,
  tls: SecureContextOptions = {},
  metrics?: CertificateMetrics,
): KeyPair {
  const pair = counted(metrics, () =>
    provePair(
      readFileSync(files.certFile),
      readFileSync(files.keyFile),
      tls,
      files.clientCAFile === undefined ? undefined : readFileSync(files.clientCAFile),
    ),
  );
  metrics?.serving(pair.cert);
  return pair;
}

/** `read()`, counted unless it found the pair in force (`unchanged`): a failure always is. */
function counted<T>(
  metrics: CertificateMetrics | undefined,
  read: () => T,
  unchanged?: (value: T) => boolean,
): T {
  let value: T;
  try {
    value = read();
  } catch (err) {
    metrics?.read();
    metrics?.failed();
    throw err;
  }
  if (!unchanged?.(value)) metrics?.read();
  return value;
}

function provePair(cert: Buffer, key: Buffer, tls: SecureContextOptions, ca?: Buffer): KeyPair {
  // An empty or unreadable bundle would make the server accept no client at all: refused like a bad pair.
  if (ca !== undefined && !ca.toString().includes('-----BEGIN CERTIFICATE-----'))
    throw new Error('the client CA file holds no PEM certificate');
  createSecureContext({ ...tls, cert, key, ...(ca ? { ca } : {}) });
  const fingerprint = createHash('sha256').update(cert).digest('hex').slice(0, 16);
  return { cert, key, ...(ca ? { ca } : {}), fingerprint };
}

/** The secure context options of `pair` (with the client CA when there is one). */
export const contextOf = (pair: KeyPair, tls: SecureContextOptions): SecureContextOptions => ({
  ...tls,
  cert: pair.cert,
  key: pair.key,
  ...(pair.ca ? { ca: pair.ca } : {}),
});

/**
 * Swaps the server's certificate when the files change: watch events plus a poll. New connections get
 * the new pair; connections already open keep theirs, so no request fails during a rotation. A bad new
 * pair (half-written, mismatched) is reported once and the last good one keeps serving.
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
  const pair = hotFiles<KeyPair>({
    paths: [files.certFile, files.keyFile, ...(files.clientCAFile ? [files.clientCAFile] : [])],
    initial: opts.serving,
    pollMs: opts.pollMs,
    load: (read, current) =>
      counted(
        opts.metrics,
        () => {
          const cert = read.bytes(files.certFile);
          const key = read.bytes(files.keyFile);
          const ca = files.clientCAFile ? read.bytes(files.clientCAFile) : undefined;
          // The files the server was created with are no change (and need no proving again).
          const sameCa = ca === undefined ? current?.ca === undefined : current?.ca?.equals(ca) === true;
          if (current && cert.equals(current.cert) && key.equals(current.key) && sameCa) return current;
          return provePair(cert, key, tls, ca);
        },
        (pair) => pair === current,
      ),
    onChange: (next, previous) => {
      server.setSecureContext(contextOf(next, tls));
      opts.metrics?.serving(next.cert);
      if (next.fingerprint !== previous.fingerprint) opts.onReload?.(next.fingerprint);
    },
    onError: opts.onError,
    onWatchError: opts.onWatchError,
  });
  return pair.close;
}
