// Upstreams of the model gateway's unit tests (src/gateway): one that holds its stream until released,
// one that answers whole, one that sends the pieces of a stream one at a time, and a streamed call
// through the gateway with the test's token.
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { sseFrame } from '../remote/model-script.js';
import { TOKEN } from './gateway.js';

/** A Messages API body of a model in the shipped price table. */
export const messages = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});

/**
 * What a call of an Anthropic body without cache breakpoints is reserved, and billed when it ends
 * without its final usage (src/gateway/reservation.ts): its bytes as input tokens, its max_tokens.
 */
export const reservedFor = (body: { max_tokens: number }) => ({
  input: Buffer.byteLength(JSON.stringify(body)),
  output: body.max_tokens,
  cacheWrite: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
});

/** An upstream that sends message_start, then waits for `release` before the rest. */
export async function slowUpstream(t: Test) {
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const closed: Promise<void>[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    closed.push(once(res, 'close').then(() => undefined));
    if (req.url?.includes('hang')) return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const usage = {
      input_tokens: 10,
      output_tokens: 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    res.write(sseFrame({ type: 'message_start', message: { model: 'claude-sonnet-4-6', usage } } as never));
    void released.then(() => {
      res.write(sseFrame({ type: 'message_delta', usage: { output_tokens: 7 } } as never));
      res.end(sseFrame({ type: 'message_stop' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    release();
    server.closeAllConnections();
    server.close();
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, release, closed };
}

export function openStream(url: string): Promise<{ res: IncomingMessage; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    });
    req.once('error', reject);
    req.once('response', (res) => resolve({ res, destroy: () => req.destroy() }));
    req.end(JSON.stringify(messages({ stream: true })));
  });
}

/** An upstream that answers every call 200 with `body` as `type`, whole: its base URL. */
export async function wholeUpstream(t: Test, type: string, body: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An upstream that sends `pieces` of a stream one by one, each when `next` is called. */
export async function steppedUpstream(t: Test, pieces: Buffer[]) {
  let step: () => void = () => {};
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    let sent = 0;
    step = () => {
      const piece = pieces[sent++];
      if (sent === pieces.length) res.end(piece);
      else res.write(piece);
    };
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, next: () => step() };
}
