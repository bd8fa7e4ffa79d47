// The connections a listener holds, bounded before a byte of TLS or HTTP is read (docs/security.md
// "Connections"): at most `maxPerListener` open, of which `reservedForTrusted` only the trusted sources
// (source-trust.ts: the apiserver) may take; at most `maxPerAddress` from a trusted address and only
// `maxPerUnprovenAddress` from any other. Trust comes from what a client cannot forge (a verified client
// certificate, a configured range), never from having sent a request: a request costs a stranger
// nothing, so 16 strangers cannot fill the listener by sending one each first. A connection past any of
// these is closed at once. A new
// connection has `headerTimeoutMs` for its TLS handshake (Node's handshakeTimeout, at twice it, a backstop), then as
// long for its first request's headers, or it is closed (an idle TLS connection costs tens of KiB, any
// connection a slot). Node's headersTimeout counts from the connection's start too, but acts only when
// it checks (every connectionsCheckingInterval) and writes a 408 first; the timer here closes at the
// deadline, silently, unless the headers had come by then (read late by a loop running late: they are
// served). Node's limit is twice this one, a backstop for a kept-alive connection's later requests.
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'node:net';
import { type TLSSocket, Server as TlsServer } from 'node:tls';
import { plainAddress, type SourceTrust, sourceTrust } from './source-trust.js';

/** A listener's connection limits as the controller config states them (`connections`). */
export interface ConnectionLimits {
  /** Connections open at once on the listener. */
  maxPerListener: number;
  /** Connections open at once from one client address. */
  maxPerAddress: number;
  /** From accept to a request's complete headers (the TLS handshake, then the headers: each within it). */
  headerTimeoutMs: number;
  /** Of maxPerListener, the connections only trusted sources may hold. */
  reservedForTrusted: number;
  /** Connections at once from an address that is not a trusted source. */
  maxPerUnprovenAddress: number;
  /** The control plane's address ranges (CIDRs): trusted sources besides those proven by certificate. */
  trustedSources: readonly string[];
}

/** The config schema's defaults (`connections`). */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({
  maxPerListener: 1024,
  maxPerAddress: 64,
  headerTimeoutMs: 5_000,
  reservedForTrusted: 64,
  maxPerUnprovenAddress: 16,
  trustedSources: [],
});

/** What a listener's connections hold now (tests, metrics). */
export interface ConnectionCounts {
  /** Open connections by client address. */
  open(): ReadonlyMap<string, number>;
  /** Connections closed at once for a cap (the listener's, the untrusted share, an address's), since the start. */
  refused(): number;
}

/**
 * Caps `server`'s connections per listener and per client address, and closes a connection whose first
 * request's headers have not come within the header timeout (for TLS, a handshake not done within it,
 * then headers not come within it from the handshake's end; the TLS server's own handshakeTimeout is a
 * backstop, which the caller sets to twice it).
 * `trust` says which addresses may take the reserve; a TLS client certificate the server verified
 * proves its address to it.
 */
export function limitConnections(
  server: Server,
  limits: ConnectionLimits,
  trust: SourceTrust = sourceTrust(limits.trustedSources),
): ConnectionCounts {
  let refused = 0;
  // Node's own cap is only a backstop, above the caps below: at the same value Node acts first, closing
  // the connection before a 'connection' event, so its refusals went uncounted. What it drops counts.
  server.maxConnections = 2 * limits.maxPerListener;
  server.on('drop', () => {
    refused++;
  });
  const open = new Map<string, number>();
  let total = 0;
  let untrusted = 0;
  const untrustedCap = limits.maxPerListener - limits.reservedForTrusted;
  server.on('connection', (socket) => {
    const address = plainAddress(socket.remoteAddress);
    const count = open.get(address) ?? 0;
    const trusted = trust.trusted(address);
    const full =
      total >= limits.maxPerListener ||
      count >= (trusted ? limits.maxPerAddress : limits.maxPerUnprovenAddress) ||
      (!trusted && untrusted >= untrustedCap);
    if (full) {
      refused++;
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    total++;
    if (!trusted) untrusted++;
    socket.once('close', () => {
      total--;
      if (!trusted) untrusted--;
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
  if (server instanceof TlsServer)
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.authorized) trust.prove(plainAddress(socket.remoteAddress));
    });
  // Each connection's deadline, by its client's address and port (for TLS the raw and the TLS socket
  // are two objects): its TLS handshake, then its first request's headers, each within the timeout.
  const waiting = new Map<string, NodeJS.Timeout>();
  const keyOf = (socket: Socket) => `${socket.remoteAddress}:${socket.remotePort}`;
  const done = (key: string) => {
    clearTimeout(waiting.get(key));
    waiting.delete(key);
  };
  const wait = (socket: Socket) => {
    if (socket.destroyed) return;
    // A peer already gone has no address: its key would be every such socket's, and one's deadline
    // would be another's.
    if (socket.remoteAddress === undefined || socket.remotePort === undefined) {
      socket.destroy();
      return;
    }
    const key = keyOf(socket);
    // A loop running late (a loaded machine) fires this after bytes that came in time but are not read
    // yet: they are read in this turn's poll phase, so the close waits for the check phase after it.
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (waiting.get(key) === timer) socket.destroy();
        }),
      limits.headerTimeoutMs,
    );
    timer.unref();
    waiting.set(key, timer);
    socket.once('close', () => {
      if (waiting.get(key) === timer) done(key);
    });
  };
  server.on('connection', wait);
  if (server instanceof TlsServer)
    server.on('secureConnection', (socket: TLSSocket) => {
      done(keyOf(socket));
      wait(socket);
    });
  server.on('request', (req: IncomingMessage) => done(keyOf(req.socket)));
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
  // Node checks from a timer too, before the loop reads what came meanwhile, and closes at once: at
  // the same limit it closed, on a loop seconds late, connections whose first request had come in
  // time. limitConnections' timer holds a first request's headers to the limit; Node's, at twice it,
  // is the backstop for the next requests of a kept-alive connection.
  server.headersTimeout = 2 * headerTimeoutMs;
  server.requestTimeout = Math.max(requestTimeoutMs, server.headersTimeout);
}

/** The check interval to create a server with, for timeouts of `shortestMs`. */
export const connectionsCheckingInterval = (shortestMs: number): number => Math.min(1000, shortestMs / 4);
