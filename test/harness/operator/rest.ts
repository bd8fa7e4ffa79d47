// The REST API in tests: a reviewer answering from tables (unit tests), and JSON calls over HTTP(S).
import { request as httpRequest } from 'node:http';
import { type Agent, request as httpsRequest } from 'node:https';
import type {
  AccessAttributes,
  AccessReviewer,
  Authentication,
  Decision,
  UserInfo,
} from '../../../src/auth/index.js';
import { scaled } from '../util/wait.js';

/** Tokens to users, and `user verb resource namespace` permissions: RBAC in a table. */
export class TableReviewer implements AccessReviewer {
  readonly tokens = new Map<string, string>();
  readonly allowed = new Set<string>();
  async authenticate(token: string): Promise<Authentication> {
    const username = this.tokens.get(token);
    return username
      ? { authenticated: true, user: { username } }
      : { authenticated: false, reason: 'invalid token' };
  }
  async authorize(user: UserInfo, attributes: AccessAttributes): Promise<Decision> {
    const a = 'resource' in attributes ? attributes.resource : undefined;
    const key = `${user.username} ${a?.verb} ${a?.resource} ${a?.namespace ?? ''}`;
    return { allowed: this.allowed.has(key), reason: '' };
  }
}

export interface JsonAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: JSON read back, checked field by field.
  body: any;
}

export interface Target {
  port: number;
  /** HTTPS trusting this CA; plain HTTP without. */
  ca?: string;
  /** Connections to reuse (a keep-alive agent); default a new one per call. */
  agent?: Agent;
}

/** One call; the body is JSON unless `raw` is given (sent as is, with `contentType`). */
export function call(
  target: Target,
  method: string,
  path: string,
  opts: {
    token?: string;
    body?: unknown;
    raw?: string | Buffer;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<JsonAnswer> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const options = {
    host: '127.0.0.1',
    port: target.port,
    path,
    method,
    headers,
    // Past the API's own limits on its calls, which answer first (a 503 or 504) on a busy machine.
    timeout: scaled(90_000),
    ...(target.agent ? { agent: target.agent } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (target.ca ? httpsRequest({ ...options, ca: target.ca }) : httpRequest(options)).on(
      'response',
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON (health): the text.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer`)));
    req.end(payload);
  });
}

export interface SseEvent {
  id?: string;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON read back, checked field by field.
  data: any;
}

export interface EventStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The Status of a refused stream. */
  // biome-ignore lint/suspicious/noExplicitAny: JSON read back, checked field by field.
  body?: any;
  /** The next event (comments skipped), or undefined once the stream ended. */
  next(): Promise<SseEvent | undefined>;
  /** Whether the server ended the stream. */
  ended(): boolean;
  close(): void;
}

/** A GET of server-sent events (`text/event-stream`), read as the server sends them. */
export function openEvents(
  target: Target,
  path: string,
  opts: { token?: string; lastEventId?: string } = {},
): Promise<EventStream> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
  const options = { host: '127.0.0.1', port: target.port, path, method: 'GET', headers };
  return new Promise((resolve, reject) => {
    const req = target.ca ? httpsRequest({ ...options, ca: target.ca }) : httpRequest(options);
    req.on('error', reject);
    req.on('response', (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(text),
            next: async () => undefined,
            ended: () => true,
            close: () => {},
          }),
        );
        return;
      }
      const queue: SseEvent[] = [];
      const waiting: Array<(e: SseEvent | undefined) => void> = [];
      let buffer = '';
      let done = false;
      const push = (e: SseEvent | undefined) => {
        const waiter = waiting.shift();
        if (waiter) waiter(e);
        else if (e) queue.push(e);
      };
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n'))
            if (!line.startsWith(':')) {
              const at = line.indexOf(': ');
              fields.set(line.slice(0, at), line.slice(at + 2));
            }
          if (!fields.has('event')) continue;
          const id = fields.get('id');
          push({
            ...(id ? { id } : {}),
            event: fields.get('event') ?? '',
            data: JSON.parse(fields.get('data') ?? 'null'),
          });
        }
      });
      const finish = () => {
        done = true;
        for (const waiter of waiting.splice(0)) waiter(undefined);
      };
      res.on('end', finish);
      res.on('close', finish);
      resolve({
        status: 200,
        headers: res.headers,
        next: () =>
          queue.length
            ? Promise.resolve(queue.shift())
            : done
              ? Promise.resolve(undefined)
              : new Promise((r) => waiting.push(r)),
        ended: () => done,
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}
