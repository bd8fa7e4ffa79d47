// The connections a listener holds, bounded before a byte of TLS or HTTP is read (docs/security.md
// "Connections"): at most `maxPerListener` open, at most `maxPerAddress` of them from one client
// address, so one address cannot hold the listener; a connection past either is closed at once. A new
// connection has `headerTimeoutMs` for its TLS handshake (the TLS server's handshakeTimeout), then as
// long for its first request's headers, or it is closed: Node times a request's headers only once its
// first byte arrives, so a connection that sends nothing after the handshake would otherwise stay until
// the client leaves (an idle TLS connection costs tens of KiB, any connection a slot).
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/** A listener's connection limits as the controller config states them (`connections`). */
export interface ConnectionLimits {
  /** Connections open at once on the listener. */
  maxPerListener: number;
  /** Connections open at once from one client address. */
  maxPerAddress: number;
  /** From accept to a request's complete headers (the TLS handshake, then the headers: each within it). */
  headerTimeoutMs: number;
}

/** The config schema's defaults (`connections`). */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({
  maxPerListener: 1024,
  maxPerAddress: 64,
  headerTimeoutMs: 5_000,
});

/** What a listener's connections hold now (tests, metrics). */
export interface ConnectionCounts {
  /** Open connections by client address. */
  open(): ReadonlyMap<string, number>;
  /** Connections closed at once for their address's cap, since the start. */
  refused(): number;
}

/**
 * Caps `server`'s connections per listener and per client address, and closes a connection whose first
 * request's headers have not come within the header timeout (for TLS, from the handshake's end: the
 * handshake's own limit is the TLS server's handshakeTimeout, which the caller sets to the same).
 */
export function limitConnections(server: Server, limits: ConnectionLimits): ConnectionCounts {
  server.maxConnections = limits.maxPerListener;
  const open = new Map<string, number>();
  let refused = 0;
  server.on('connection', (socket) => {
    // IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d: one address either way.
    const address = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    const count = open.get(address) ?? 0;
    if (count >= limits.maxPerAddress) {
      refused++;
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
  // The socket a request arrives on: the TLS socket for HTTPS, else the TCP one.
  const waiting = new WeakMap<Socket, NodeJS.Timeout>();
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    if (socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), limits.headerTimeoutMs);
    timer.unref();
    waiting.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (req: IncomingMessage) => {
    clearTimeout(waiting.get(req.socket));
    waiting.delete(req.socket);
  });
  return { open: () => open, refused: () => refused };
}

/**
 * Node's request timers for a listener: the headers within `headerTimeoutMs`, the whole request within
 * `requestTimeoutMs`, checked often enough to hold to them (Node checks every 30 s by default).
 */
export function applyRequestTimeouts(
  server: { headersTimeout: number; requestTimeout: number },
  headerTimeoutMs: number,
  requestTimeoutMs: number,
): void {
  server.requestTimeout = Math.max(requestTimeoutMs, headerTimeoutMs);
  server.headersTimeout = headerTimeoutMs;
}

/** The check interval to create a server with, for timeouts of `shortestMs`. */
export const connectionsCheckingInterval = (shortestMs: number): number => Math.min(1000, shortestMs / 4);
