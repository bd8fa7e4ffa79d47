// TLS test helpers: one handshake probe for certificate and protocol checks, and a Secret-volume writer
// that swaps certificate files the way the kubelet does.
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConnectionOptions, connect } from 'node:tls';

export interface Handshake {
  /** Negotiated protocol, when the handshake succeeded. */
  protocol?: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint?: string;
  /** Whether the presented certificate chains to the `ca` given. */
  authorized?: boolean;
  error?: string;
}

/** One fresh TLS connection to 127.0.0.1:`port`; never throws, a refusal comes back as `error`. */
export function handshake(port: number, options: ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      resolve({
        protocol: socket.getProtocol() ?? '',
        fingerprint: socket.getPeerCertificate().fingerprint256,
        authorized: socket.authorized,
      });
      socket.destroy();
    });
    socket.on('error', (err) => resolve({ error: err.message }));
  });
}

/**
 * A Secret volume in `dir`: tls.crt → ..data/tls.crt, ..data → ..gen_N/, swapped with one rename, so a
 * watcher sees the whole new pair at once (or, when it misses the event, on its next poll).
 */
export function secretVolumeWriter(dir: string): (files: Record<string, string>) => void {
  let generation = 0;
  return (files) => {
    const data = `..gen_${++generation}`;
    mkdirSync(join(dir, data));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, data, name), text);
    let previous: string | undefined;
    try {
      previous = readlinkSync(join(dir, '..data'));
    } catch {
      previous = undefined;
    }
    symlinkSync(data, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    if (previous === undefined) {
      for (const name of Object.keys(files)) symlinkSync(`..data/${name}`, join(dir, name));
    } else {
      rmSync(join(dir, previous), { recursive: true, force: true });
    }
  };
}
