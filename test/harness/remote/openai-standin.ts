// A scripted stand-in of OpenAI's Responses API (test/harness/README.md, "Stand-ins of remote
// services"), the API the Codex CLI calls through the gateway (src/gateway/openai.ts): it answers
// POST /v1/responses with the turns of a script, in order, as JSON or as the SDK's stream events,
// bills each answer's usage, records every request and checks it against the shapes the pinned `openai`
// SDK's types give the request; its answers are typed with that SDK's Response and event types, so
// `tsc` fails when the SDK changes what they hold.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  EasyInputMessage,
  Response,
  ResponseFunctionToolCall,
  ResponseOutputMessage,
  ResponseStreamEvent,
  ResponseUsage,
} from 'openai/resources/responses/responses';

/** One answer: text, or a call of a tool the request offers (by its name), with its arguments. */
export type OpenaiTurn = { text: string } | { call: string; arguments: Record<string, unknown> };

export interface OpenaiRecorded {
  path: string;
  body: unknown;
  problems: string[];
  status: number;
  billed?: ResponseUsage;
}

const ROLES = { user: true, assistant: true, system: true, developer: true } satisfies Record<
  EasyInputMessage['role'],
  true
>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the request's body lacks of ResponseCreateParams' shapes, as the stand-in checks them. */
export function checkResponsesRequest(body: unknown): string[] {
  if (!isObject(body)) return ['the body must be a JSON object'];
  const problems: string[] = [];
  if (typeof body.model !== 'string' || !body.model) problems.push('model: required');
  const input = body.input;
  if (typeof input !== 'string' && !Array.isArray(input)) problems.push('input: a string or a list of items');
  const calls = new Set<string>();
  for (const [i, item] of (Array.isArray(input) ? input : []).entries()) {
    if (!isObject(item)) {
      problems.push(`input[${i}]: an object`);
      continue;
    }
    if (item.type === 'function_call' && typeof item.call_id === 'string') calls.add(item.call_id);
    if (item.type === 'function_call_output' && !calls.has(String(item.call_id)))
      problems.push(`input[${i}].call_id: answers no function_call before it`);
    if ((item.type === undefined || item.type === 'message') && !Object.hasOwn(ROLES, String(item.role)))
      problems.push(`input[${i}].role: one of ${Object.keys(ROLES).join(', ')}`);
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) problems.push('tools: a list');
  return problems;
}

export class OpenaiStandin {
  readonly requests: OpenaiRecorded[] = [];
  private next = 0;
  private readonly server: Server;

  constructor(private readonly options: { script: OpenaiTurn[]; apiKey: string; usage: ResponseUsage }) {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  async listen(host = '127.0.0.1', port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The usage billed over every answer, summed by field. */
  billed(): { input: number; cached: number; output: number } {
    const sum = { input: 0, cached: 0, output: 0 };
    for (const r of this.requests) {
      sum.input += r.billed?.input_tokens ?? 0;
      sum.cached += r.billed?.input_tokens_details.cached_tokens ?? 0;
      sum.output += r.billed?.output_tokens ?? 0;
    }
    return sum;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const chunk of req) parts.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8') || 'null');
    } catch {
      body = undefined;
    }
    const send = (status: number, answer: unknown, billed?: ResponseUsage) => {
      this.requests.push({ path, body, problems, status, ...(billed ? { billed } : {}) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    };
    const problems = req.method === 'POST' ? checkResponsesRequest(body) : [];
    if (req.headers.authorization !== `Bearer ${this.options.apiKey}`)
      return send(401, {
        error: { message: 'bad key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      });
    if (req.method === 'GET' && path === '/v1/models')
      return send(200, {
        object: 'list',
        data: [{ id: 'gpt-5.3-codex', object: 'model', created: 0, owned_by: 'openai' }],
      });
    if (req.method !== 'POST' || path !== '/v1/responses')
      return send(404, {
        error: { message: `no ${path}`, type: 'invalid_request_error', param: null, code: null },
      });
    const turn = this.options.script[this.next] ?? { text: 'done' };
    this.next++;
    const b = body as Json;
    const response = this.response(String(b.model), turn);
    if (b.stream !== true) return send(200, response, response.usage);
    this.requests.push({
      path,
      body,
      problems,
      status: 200,
      ...(response.usage ? { billed: response.usage } : {}),
    });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of streamOf(response))
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    res.end();
  }

  private response(model: string, turn: OpenaiTurn): Response {
    const id = `resp_${this.next}`;
    const item: ResponseOutputMessage | ResponseFunctionToolCall =
      'text' in turn
        ? {
            id: `msg_${this.next}`,
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: turn.text, annotations: [] }],
          }
        : {
            id: `fc_${this.next}`,
            type: 'function_call',
            call_id: `call_${this.next}`,
            name: turn.call,
            arguments: JSON.stringify(turn.arguments),
            status: 'completed',
          };
    return {
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      model,
      status: 'completed',
      output: [item],
      output_text: 'text' in turn ? turn.text : '',
      access_programs: null,
      error: null,
      incomplete_details: null,
      instructions: null,
      metadata: null,
      parallel_tool_calls: false,
      temperature: null,
      tool_choice: 'auto',
      tools: [],
      top_p: null,
      usage: this.options.usage,
    };
  }
}

/** The events a streamed answer sends: created, the output item, completed (with the usage). */
function streamOf(response: Response): ResponseStreamEvent[] {
  const item = response.output[0];
  const started = { ...response, status: 'in_progress' as const, output: [] };
  const { usage: _usage, ...withoutUsage } = started;
  return [
    { type: 'response.created', sequence_number: 0, response: withoutUsage },
    ...(item
      ? [{ type: 'response.output_item.done' as const, sequence_number: 1, output_index: 0, item }]
      : []),
    { type: 'response.completed', sequence_number: 2, response },
  ];
}
