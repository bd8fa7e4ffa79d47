// A scripted stand-in of the Gemini API (test/harness/README.md, "Stand-ins of remote services"), the
// API the Gemini CLI calls through the gateway (src/gateway/gemini.ts): it answers
// models/{model}:generateContent and :streamGenerateContent?alt=sse with the turns of a script, in
// order, bills each answer's usageMetadata, records every request and checks it against the pinned
// `@google/genai` SDK's types (the parts a content may hold, the roles); its answers are typed with
// that SDK's response types, so `tsc` fails when the SDK changes what they hold.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Candidate,
  FinishReason,
  type GenerateContentResponse,
  type GenerateContentResponseUsageMetadata,
  type Part,
} from '@google/genai';

/** One answer: text, or a call of a function the request declares (by its name), with its arguments. */
export type GeminiTurn = { text: string } | { call: string; args: Record<string, unknown> };

export interface GeminiRecorded {
  path: string;
  body: unknown;
  problems: string[];
  status: number;
  billed?: GenerateContentResponseUsageMetadata;
}

/** What a part may hold (the SDK's Part): a part names at least one. */
const PART_FIELDS = {
  mediaResolution: true,
  toolCall: true,
  toolResponse: true,
  audioTranscription: true,
  codeExecutionResult: true,
  executableCode: true,
  fileData: true,
  functionCall: true,
  functionResponse: true,
  inlineData: true,
  text: true,
  thought: true,
  thoughtSignature: true,
  videoMetadata: true,
  partMetadata: true,
  mediaProcessing: true,
  speechMetadata: true,
} satisfies Record<keyof Part, true>;
const ROLES = new Set(['user', 'model', 'function']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a generateContent body lacks of the API's shapes, as the stand-in checks them. */
export function checkGenerateRequest(body: unknown): string[] {
  if (!isObject(body)) return ['the body must be a JSON object'];
  const problems: string[] = [];
  if (!Array.isArray(body.contents) || body.contents.length === 0) return ['contents: a non-empty list'];
  for (const [i, content] of body.contents.entries()) {
    if (!isObject(content)) {
      problems.push(`contents[${i}]: an object`);
      continue;
    }
    if (content.role !== undefined && !ROLES.has(String(content.role)))
      problems.push(`contents[${i}].role: one of ${[...ROLES].join(', ')}`);
    if (!Array.isArray(content.parts)) {
      problems.push(`contents[${i}].parts: a list`);
      continue;
    }
    for (const [j, part] of content.parts.entries()) {
      const keys = isObject(part) ? Object.keys(part) : [];
      if (keys.length === 0 || !keys.some((k) => Object.hasOwn(PART_FIELDS, k)))
        problems.push(`contents[${i}].parts[${j}]: names one of ${Object.keys(PART_FIELDS).join(', ')}`);
      const unknown = keys.filter((k) => !Object.hasOwn(PART_FIELDS, k));
      if (unknown.length > 0)
        problems.push(`contents[${i}].parts[${j}]: unknown fields ${unknown.join(', ')}`);
    }
  }
  return problems;
}

const CALL_PATH = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

type Answer = Pick<GenerateContentResponse, 'candidates' | 'usageMetadata' | 'modelVersion' | 'responseId'>;

export class GeminiStandin {
  readonly requests: GeminiRecorded[] = [];
  private next = 0;
  private readonly server: Server;

  constructor(
    private readonly options: {
      script: GeminiTurn[];
      apiKey: string;
      usage: GenerateContentResponseUsageMetadata;
    },
  ) {
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

  /** The usage billed over every answer, summed: prompt (cached within it), cached, candidates. */
  billed(): { input: number; cached: number; output: number } {
    const sum = { input: 0, cached: 0, output: 0 };
    for (const r of this.requests) {
      sum.input += r.billed?.promptTokenCount ?? 0;
      sum.cached += r.billed?.cachedContentTokenCount ?? 0;
      sum.output += r.billed?.candidatesTokenCount ?? 0;
    }
    return sum;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const chunk of req) parts.push(chunk as Buffer);
    const [path = '/', query = ''] = (req.url ?? '/').split('?', 2);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8') || 'null');
    } catch {
      body = undefined;
    }
    const problems = req.method === 'POST' ? checkGenerateRequest(body) : [];
    const send = (status: number, answer: unknown, billed?: GenerateContentResponseUsageMetadata) => {
      this.requests.push({ path, body, problems, status, ...(billed ? { billed } : {}) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    };
    const error = (code: number, message: string, status: string) => ({ error: { code, message, status } });
    if (req.headers['x-goog-api-key'] !== this.options.apiKey)
      return send(401, error(401, 'API key not valid', 'UNAUTHENTICATED'));
    const call = CALL_PATH.exec(path);
    if (req.method !== 'POST' || !call) return send(404, error(404, `no ${path}`, 'NOT_FOUND'));
    const turn = this.options.script[this.next] ?? { text: 'done' };
    this.next++;
    const answer = this.answer(call[1] as string, turn);
    if (call[2] === 'generateContent') return send(200, answer, answer.usageMetadata);
    if (new URLSearchParams(query).get('alt') !== 'sse')
      return send(400, error(400, 'the stand-in streams with alt=sse only', 'INVALID_ARGUMENT'));
    this.requests.push({
      path,
      body,
      problems,
      status: 200,
      ...(answer.usageMetadata ? { billed: answer.usageMetadata } : {}),
    });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // The content first, then the last chunk with the finish reason and the usage (as the API sends them).
    const { usageMetadata, ...content } = answer;
    res.write(`data: ${JSON.stringify(content)}\r\n\r\n`);
    const last: Answer = {
      candidates: [{ index: 0, finishReason: FinishReason.STOP, content: { role: 'model', parts: [] } }],
      ...(usageMetadata ? { usageMetadata } : {}),
    };
    res.write(`data: ${JSON.stringify(last)}\r\n\r\n`);
    res.end();
  }

  private answer(model: string, turn: GeminiTurn): Answer {
    const part: Part =
      'text' in turn ? { text: turn.text } : { functionCall: { name: turn.call, args: turn.args } };
    const candidate: Candidate = {
      index: 0,
      content: { role: 'model', parts: [part] },
      finishReason: FinishReason.STOP,
    };
    return {
      candidates: [candidate],
      usageMetadata: this.options.usage,
      modelVersion: model,
      responseId: `resp-${this.next}`,
    };
  }
}
