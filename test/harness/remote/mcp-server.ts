// A team's MCP server over streamable HTTP (docs/tools.md), played by the tests that run a real agent
// CLI: a loopback server answering JSON-RPC with JSON (the transport allows that in place of a stream)
// for initialize, the tool listing and a call of one tool, `whoami`, whose result is `answer`; it keeps
// every request's headers and method, so a test can see what the CLI sent (a header from a Secret).
// Its own process (mcpServerProcess), as the entry script runs while the test waits for it; run as a
// script it reads MCP_ANSWER and MCP_JOURNAL (a file that gets each request as a JSON line) and prints
// {"msg":"listening","port":N}.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Test } from 'tap';
import { logged, NodeProcess } from '../cluster/node-process.js';

export interface McpRequest {
  method: string;
  headers: IncomingHttpHeaders;
}

export interface McpServerStandin {
  /** `http://127.0.0.1:{port}/mcp`. */
  url: string;
  /** Every JSON-RPC request, in order. */
  got: McpRequest[];
  close(): Promise<void>;
}

const PROTOCOL = '2025-06-18';

function result(method: string, params: Record<string, unknown>, answer: string): unknown {
  switch (method) {
    case 'initialize':
      return {
        protocolVersion: typeof params.protocolVersion === 'string' ? params.protocolVersion : PROTOCOL,
        capabilities: { tools: {} },
        serverInfo: { name: 'team-standin', version: '1.0.0' },
      };
    case 'tools/list':
      return {
        tools: [
          {
            name: 'whoami',
            description: 'Says who the caller is to this server.',
            inputSchema: { type: 'object', properties: {} },
          },
        ],
      };
    case 'tools/call':
      return { content: [{ type: 'text', text: answer }] };
    default:
      return undefined;
  }
}

/** The stand-in in this process, on `host` (loopback; the real node's gateway address for its pods). */
export async function mcpServerStandin(
  answer: string,
  journal?: string,
  host = '127.0.0.1',
): Promise<McpServerStandin> {
  const got: McpRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      // No server-sent stream of its own (GET), no session to end (DELETE).
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      let message: { id?: unknown; method?: string; params?: Record<string, unknown> };
      try {
        message = JSON.parse(body);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const method = message.method ?? '';
      got.push({ method, headers: req.headers });
      if (journal) appendFileSync(journal, `${JSON.stringify({ method, headers: req.headers })}\n`);
      if (message.id === undefined) {
        res.writeHead(202).end(); // a notification
        return;
      }
      const value = result(method, message.params ?? {}, answer);
      const reply =
        value === undefined
          ? { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `no method ${method}` } }
          : { jsonrpc: '2.0', id: message.id, result: value };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}/mcp`,
    got,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The stand-in as its own process, on the host's loopback; its requests read from its journal. */
export async function mcpServerProcess(
  t: Test,
  dir: string,
  answer: string,
): Promise<{ url: string; requests(): McpRequest[] }> {
  const journal = path.join(dir, 'mcp-requests.jsonl');
  writeFileSync(journal, '');
  const server = new NodeProcess(import.meta.filename, [], { MCP_ANSWER: answer, MCP_JOURNAL: journal });
  t.teardown(() => server.kill('SIGTERM'));
  const listening = await server.waitForLog(logged('listening'), 'listening', 60_000);
  return {
    url: `http://127.0.0.1:${listening.port}/mcp`,
    requests: () =>
      readFileSync(journal, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as McpRequest),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await mcpServerStandin(process.env.MCP_ANSWER ?? '', process.env.MCP_JOURNAL);
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: Number(new URL(server.url).port) })}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
