// A scripted stand-in of the Anthropic Messages API for tests (test/harness/README.md, "Stand-ins of remote services"): it answers the
// agent CLI's conversation with the turns of a script, in order, streaming or not, records every
// request and checks it against the SDK's request shapes (model-request-check.ts).
//
// In-process: `new ModelStandin({...}).listen()`. As its own process (so that pods on a real node
// reach it): `node --import=./scripts/ts-import.mjs model-standin.ts` with MODEL_SCRIPT (JSON array
// of turns), MODEL_API_KEY, optional HOST (127.0.0.1), PORT (0), CERT_FILE/KEY_FILE (HTTPS) and
// MODEL_JOURNAL (a file that gets each RecordedRequest as a JSON line); it prints JSON lines
// {"msg":"listening","port":N}, then {"msg":"request",method,path,turn,status,problems} per request.
import { appendFileSync, readFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { ErrorType } from '@anthropic-ai/sdk/resources/shared';
import { checkMessagesRequest } from './model-request-check.js';
import {
  errorBody,
  isErrorTurn,
  type ReplyTurn,
  replyMessage,
  say,
  sseFrame,
  streamEvents,
  type Turn,
  tokens,
} from './model-script.js';

/** Requests bigger than this are refused (413) before they are read whole. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface ModelStandinOptions {
  /** Connections open at once. Default 64 (a benchmark of many agents at once raises it). */
  maxConnections?: number;
  /** The agent's turns, answered in order to the requests that offer tools (the agent's loop). */
  script: Turn[];
  /** The key clients must send (x-api-key or Authorization: Bearer); others get 401. */
  apiKey: string;
  /**
   * The answer to a message request that offers no tools: the CLI's side queries (titles, summaries),
   * which are not turns of the agent. Default: a short text.
   */
  aside?: (body: Record<string, unknown>) => ReplyTurn;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Called with each request once answered (the process form prints it). */
  onRequest?: (request: RecordedRequest) => void;
}

export interface RecordedRequest {
  method: string;
  /** When it arrived (Date.now()): a benchmark times an agent's start by its first request. */
  receivedAt: number;
  /** The path without its query (`/v1/messages`). */
  path: string;
  query: string;
  /** The parsed JSON body (undefined when none or not JSON). */
  body: unknown;
  /** What the request check found wrong with it; [] when it has the shapes the SDK's types require. */
  problems: string[];
  /** The script turn answered (0-based), when the request was one of the agent's turns. */
  turn?: number;
  status: number;
  stream: boolean;
  /** The usage the answer billed (a Messages answer's `usage`), when it was one. */
  billed?: ReturnType<typeof replyMessage>['usage'];
}

const MODELS = [
  'claude-sonnet-5-5',
  'claude-opus-5-5',
  'claude-sonnet-4-6',
  'claude-opus-4-6',
  'claude-haiku-4-5',
  'claude-sonnet-4-20250514',
];

export class ModelStandin {
  readonly requests: RecordedRequest[] = [];
  /** Streamed answers send their events this far apart (0: all at once). */
  eventDelayMs = 0;
  private next = 0;
  private counter = 0;
  private readonly server: Server;

  constructor(private readonly options: ModelStandinOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) this.error(res, 500, 'api_error', `stand-in failure: ${err.message}`);
        else res.end();
      });
    };
    this.server = options.tls ? createHttps(options.tls, handler) : createHttp(handler);
    // Bounds what an unauthenticated or slow client can hold open.
    this.server.requestTimeout = 60_000;
    this.server.headersTimeout = 10_000;
    this.server.maxConnections = options.maxConnections ?? 64;
  }

  /** Starts listening; resolves with the base URL (ANTHROPIC_BASE_URL). */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const { port: bound } = this.server.address() as AddressInfo;
        resolve(`${this.options.tls ? 'https' : 'http'}://${host}:${bound}`);
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The requests that were turns of the agent's conversation, in order. */
  get turns(): RecordedRequest[] {
    return this.requests.filter((r) => r.turn !== undefined);
  }

  /** Every problem any request had, each prefixed with its request; [] when all were well-formed. */
  get problems(): string[] {
    return this.requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.path}: ${p}`));
  }

  private ids = () => `standin${String(++this.counter).padStart(6, '0')}`;

  private authenticated(req: IncomingMessage): boolean {
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    return req.headers['x-api-key'] === this.options.apiKey || bearer === this.options.apiKey;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      receivedAt: Date.now(),
      path: url.pathname,
      query: url.search,
      body: undefined,
      problems: [],
      status: 200,
      stream: false,
    };
    try {
      // The CLI's connectivity probe, which the real API answers without a key.
      if (url.pathname === '/api/hello') {
        record.status = this.json(res, 200, {});
        return;
      }
      if (!this.authenticated(req)) {
        record.status = this.error(res, 401, 'authentication_error', 'invalid x-api-key');
        return;
      }
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > MAX_BODY_BYTES) {
        record.status = this.error(res, 413, 'invalid_request_error', 'request_too_large');
        return;
      }
      record.body = await readJson(req);
      record.status = this.route(record, res);
    } finally {
      this.requests.push(record);
      this.options.onRequest?.(record);
    }
  }

  private route(record: RecordedRequest, res: ServerResponse): number {
    const { method, path } = record;
    if (method === 'GET' && path === '/v1/models') return this.json(res, 200, modelList());
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      return this.json(res, 200, modelInfo(id));
    }
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      record.problems = checkMessagesRequest(record.body, { countTokens: true });
      if (record.problems.length)
        return this.error(res, 400, 'invalid_request_error', record.problems.join('; '));
      return this.json(res, 200, { input_tokens: tokens(JSON.stringify(record.body)) });
    }
    if (method === 'POST' && path === '/v1/messages') return this.messages(record, res);
    record.problems = [`no such endpoint in the stand-in: ${method} ${path}`];
    return this.error(res, 404, 'not_found_error', `${method} ${path}`);
  }

  private messages(record: RecordedRequest, res: ServerResponse): number {
    record.problems = checkMessagesRequest(record.body);
    if (record.problems.length)
      return this.error(res, 400, 'invalid_request_error', record.problems.join('; '));
    const body = record.body as Record<string, unknown>;
    record.stream = body.stream === true;
    let turn: Turn;
    if (Array.isArray(body.tools) && body.tools.length > 0) {
      record.turn = this.next++;
      const last = this.options.script.at(-1);
      const repeating =
        last && !isErrorTurn(last) && last.repeat && record.turn >= this.options.script.length;
      const scripted = repeating ? last : this.options.script[record.turn];
      if (!scripted) {
        record.problems.push(
          `the script has ${this.options.script.length} turns; turn ${record.turn + 1} was asked`,
        );
        return this.error(res, 500, 'api_error', 'the scripted conversation is over');
      }
      turn = scripted;
    } else {
      turn = this.options.aside?.(body) ?? say('ok');
    }
    if (isErrorTurn(turn)) return this.error(res, turn.error.status, turn.error.type, turn.error.message);
    const message = replyMessage(turn, String(body.model), tokens(JSON.stringify(body.messages)), this.ids);
    record.billed = message.usage;
    if (!record.stream) return this.json(res, 200, message);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...this.idHeader(),
    });
    const [start, ...rest] = streamEvents(message);
    res.write(sseFrame(start as { type: string }));
    res.write(sseFrame({ type: 'ping' }));
    const pace = this.eventDelayMs;
    if (pace <= 0) {
      for (const event of rest) res.write(sseFrame(event));
      res.end();
      return 200;
    }
    // As a model generates: an event every `pace` ms (a stream to be in flight when something happens).
    const next = () => {
      const event = rest.shift();
      if (res.destroyed) return;
      if (!event) return void res.end();
      res.write(sseFrame(event));
      setTimeout(next, pace);
    };
    setTimeout(next, pace);
    return 200;
  }

  private idHeader = () => ({ 'request-id': `req_${this.ids()}` });

  private json(res: ServerResponse, status: number, body: unknown): number {
    res.writeHead(status, { 'content-type': 'application/json', ...this.idHeader() });
    res.end(JSON.stringify(body));
    return status;
  }

  private error(res: ServerResponse, status: number, type: ErrorType, message: string): number {
    const id = `req_${this.ids()}`;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id });
    res.end(JSON.stringify(errorBody(type, message, id)));
    return status;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body over the limit');
    parts.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    return undefined;
  }
}

const modelInfo = (id: string) => ({
  type: 'model' as const,
  id,
  display_name: id,
  created_at: '2025-01-01T00:00:00Z',
  capabilities: null,
  deprecated_at: null,
});

const modelList = () => ({
  data: MODELS.map(modelInfo),
  has_more: false,
  first_id: MODELS[0],
  last_id: MODELS.at(-1),
});

async function main(): Promise<void> {
  const env = (name: string) => process.env[name] ?? '';
  const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const tlsFiles = env('CERT_FILE') && env('KEY_FILE');
  const standin = new ModelStandin({
    script: JSON.parse(env('MODEL_SCRIPT') || '[]') as Turn[],
    apiKey: env('MODEL_API_KEY'),
    tls: tlsFiles ? { cert: readFileSync(env('CERT_FILE')), key: readFileSync(env('KEY_FILE')) } : undefined,
    onRequest: (request) => {
      // Whole requests go to the journal (a test reading them may be blocked while they arrive, and a
      // pipe would fill); stdout gets one short line each.
      if (env('MODEL_JOURNAL')) appendFileSync(env('MODEL_JOURNAL'), `${JSON.stringify(request)}\n`);
      const { method, path, turn, status, problems } = request;
      print({ msg: 'request', method, path, turn, status, problems });
    },
  });
  const base = await standin.listen(Number(env('PORT') || 0), env('HOST') || '127.0.0.1');
  print({ msg: 'listening', port: Number(new URL(base).port), base });
  process.on('SIGTERM', () => void standin.close().then(() => process.exit(0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
