// TLS test helpers: one handshake probe for certificate and protocol checks, and a Secret-volume writer
// that swaps certificate files the way the kubelet does.
import { type ConnectionOptions, connect } from 'node:tls';
import { writeSecretVolume } from '../../../src/certs/index.js';

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
 * A Secret volume in `dir`: tls.crt → ..data/tls.crt, ..data → a generation folder, swapped with one
 * rename, so a watcher sees the whole new pair at once (or, when it misses the event, on its next poll).
 */
export function secretVolumeWriter(dir: string): (files: Record<string, string>) => void {
  return (files) => writeSecretVolume(dir, files);
}
