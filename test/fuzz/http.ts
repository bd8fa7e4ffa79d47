// Clients for the webhook fuzz tests: node's https client for well-formed HTTP, raw TLS for everything a
// polite client never sends. Neither ever rejects: a missing answer is an Answer with an error. Nothing
// here is timed: a client gives up only after a generous deadline, which the server must never need.
import { type Agent, request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { scaled } from '../harness/util/wait.js';

/** The server's request timeout in the fuzz tests: small, so stalled clients are cut quickly. */
export const TIMEOUT_MS = scaled(1500);
/**
 * When a client stops waiting for an answer (its error says so): far beyond the server's timeout, so that
 * an answer missing by then is a hang (or a stalled client the server never cut), not a slow machine.
 */
export const DEADLINE_MS = TIMEOUT_MS + scaled(15_000);

export interface Answer {
  /** HTTP status; 0 when the connection ended without a complete response. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Why there is no response (connection closed, reset, or no answer before the deadline). */
  error?: string;
}

/** Where the clients connect: the server's port and the CA that signed its certificate. */
export interface Target {
  port: number;
  caPem: string;
  /** Keep-alive pool for `send`. */
  agent: Agent;
}

export interface SendOptions {
  path: string;
  method?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

const noAnswer = (error: string): Answer => ({ status: 0, headers: {}, body: '', error });

/** One request over the keep-alive pool (JSON content type and length unless `headers` say otherwise). */
export function send(target: Target, opts: SendOptions): Promise<Answer> {
  const body = opts.body ?? '';
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...opts.headers,
  };
  return new Promise((resolve) => {
    const done = (a: Answer) => {
      clearTimeout(timer);
      resolve(a);
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        agent: target.agent,
        method: opts.method ?? 'POST',
        path: opts.path,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, string>,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (err) => done(noAnswer(err.message)));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    req.on('error', (err) => done(noAnswer(err.message)));
    req.end(body);
  });
}

/** What a raw exchange writes: anything it likes, possibly stalling; `answered()` says when to stop. */
export type RawWriter = (socket: TLSSocket, answered: () => boolean) => void | Promise<void>;

/**
 * One raw exchange on a new TLS connection: the answer is the first complete HTTP response, or why there
 * was none. Writes after the response are dropped.
 */
export function exchange(target: Target, write: RawWriter, opts: { head?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    let finished = false;
    const socket = connect({ host: '127.0.0.1', port: target.port, ca: target.caPem });
    const done = (a: Answer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => done(noAnswer(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    const parse = (ended: boolean) => {
      const parsed = parseResponse(data, ended, opts.head === true);
      if (parsed) done(parsed);
      else if (ended) done(noAnswer('connection closed without a response'));
    };
    socket.on('secureConnect', () => {
      Promise.resolve(write(socket, () => finished)).catch(() => {});
    });
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      parse(false);
    });
    socket.on('end', () => parse(true));
    socket.on('close', () => parse(true));
    socket.on('error', (err) => {
      parse(false);
      done(noAnswer(err.message));
    });
  });
}

/** A complete HTTP/1.1 response in `data`, or undefined while more is needed. */
function parseResponse(data: Buffer, ended: boolean, head: boolean): Answer | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  if (head || status === 204 || status === 304) return { status, headers, body: '' };
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return undefined;
    return { status, headers, body: rest.subarray(0, length).toString('utf8') };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return dechunk(rest, status, headers);
  return ended ? { status, headers, body: rest.toString('utf8') } : undefined;
}

function dechunk(rest: Buffer, status: number, headers: Record<string, string>): Answer | undefined {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return { status, headers, body: Buffer.concat(chunks).toString('utf8') };
    if (rest.length < lineEnd + 2 + size + 2) return undefined;
    chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Request head for raw exchanges. */
export const head = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes and waits for the socket to drain; stops quietly once the response is in. */
export async function writeAll(socket: TLSSocket, answered: () => boolean, chunk: string | Buffer) {
  if (answered() || socket.destroyed) return;
  if (!socket.write(chunk)) {
    await new Promise<void>((resolve) => {
      const stop = () => {
        socket.off('drain', stop);
        socket.off('close', stop);
        resolve();
      };
      socket.on('drain', stop);
      socket.on('close', stop);
    });
  }
}
