// Recorded apiserver answers: what a real apiserver sent for a request (status, content type, the
// body as the chunks that arrived), stored as JSON fixtures, and a plain HTTP server that replays
// them, so a unit test exercises KubeClient on the bytes a cluster really sends. The integration test
// that records them (RECORD_FIXTURES=1) also checks, on every run, that the live answers still match.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface RecordedAnswer {
  /** The request, `GET /api/v1/…?…`, as recorded. */
  request: string;
  status: number;
  contentType: string;
  /** Whether the body came with Transfer-Encoding: chunked (a proxied log stream does). */
  chunked: boolean;
  /** The body as the client received it, one entry per `data` event. */
  chunks: string[];
  /** Replay only: after the chunks, cut the connection instead of ending the body (a dropped stream). */
  cut?: boolean;
}

/** Sends `GET path` with the kubeconfig's credentials and records the answer as it arrives. */
export async function recordAnswer(kc: KubeConfig, path: string): Promise<RecordedAnswer> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(cluster.server + path), { ...options, method: 'GET' }, (res) => {
      const chunks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          request: `GET ${path}`,
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          chunked: res.headers['transfer-encoding'] === 'chunked',
          chunks,
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path}: no answer within 30 s`)));
    req.on('error', reject);
    req.end();
  });
}

export const fixturePath = (name: string) =>
  new URL(`../../fixtures/pod-logs/${name}.json`, import.meta.url).pathname;

export const readAnswer = (name: string): RecordedAnswer =>
  JSON.parse(readFileSync(fixturePath(name), 'utf8')) as RecordedAnswer;

export const writeAnswer = (name: string, answer: RecordedAnswer): void =>
  writeFileSync(fixturePath(name), `${JSON.stringify(answer, null, 2)}\n`);

/** A plain JSON answer (a run, a Job, a pod list) for the replay server. */
export const jsonAnswer = (body: unknown, status = 200): RecordedAnswer => ({
  request: '',
  status,
  contentType: 'application/json',
  chunked: false,
  chunks: [JSON.stringify(body)],
});

/** Picks the answer to a request; undefined: 404 with an empty Status. */
export type Route = (path: string, query: URLSearchParams) => RecordedAnswer | undefined;

export interface ReplayServer {
  kubeConfig: KubeConfig;
  /** The requests received, `path?query`. */
  requests: string[];
  close(): Promise<void>;
}

function replay(answer: RecordedAnswer, res: ServerResponse): void {
  res.writeHead(answer.status, {
    'content-type': answer.contentType,
    ...(answer.chunked ? {} : { 'content-length': Buffer.byteLength(answer.chunks.join('')) }),
  });
  // One write per recorded chunk, each in its own turn, so the client sees the same boundaries.
  const chunks = [...answer.chunks];
  const next = () => {
    const chunk = chunks.shift();
    if (chunk === undefined && answer.cut) res.socket?.destroy();
    else if (chunk === undefined) res.end();
    else res.write(chunk, () => setImmediate(next));
  };
  next();
}

/**
 * An HTTP server answering each request from `route`, with a kubeconfig pointing at it; over TLS with
 * `tls`'s certificate, for a client that sends its token only there (the CLI's --api-url).
 */
export async function replayServer(
  route: Route,
  tls?: { certPem: string; keyPem: string },
): Promise<ReplayServer> {
  const requests: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://replay');
    requests.push(`${url.pathname}${url.search}`);
    const answer = route(url.pathname, url.searchParams);
    replay(
      answer ?? jsonAnswer({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 }, 404),
      res,
    );
  };
  const server: Server = tls
    ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handle)
    : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      { name: 'replay', server: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u' }],
    contexts: [{ name: 'replay', cluster: 'replay', user: 'u', namespace: 'default' }],
    currentContext: 'replay',
  });
  return {
    kubeConfig,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
