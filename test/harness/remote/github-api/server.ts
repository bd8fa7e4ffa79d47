// A stand-in for GitHub's REST API over plain HTTP, serving the routes a test gives it (route.ts). Every
// request is matched by method and OpenAPI path template, and both its body and the route's answer
// (status and body) are checked against that operation in GitHub's published description
// (contract.ts): a drift fails the test at once, naming the operation and what differs, and is
// answered 500. Mounted at `/` and at `/api/v3` (GitHub Enterprise Server's API prefix).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationContract } from './contract.js';
import type { GithubAnswer, GithubRequest, GithubRoute } from './route.js';

interface Failing {
  fail(message: string): void;
  teardown(fn: () => unknown): void;
}

/** One request as it was served. */
export interface GithubCall {
  method: string;
  route: string;
  params: Record<string, string>;
  body: unknown;
  status: number;
}

export interface GithubApi {
  /** The API's base URL (as `baseUrl` for @octokit/request). */
  url: string;
  /** Every request matched, in order. */
  calls: GithubCall[];
  /** Requests matching no route, as `METHOD /path`. */
  unmatched: string[];
  close(): Promise<void>;
}

/** The largest request body read (GitHub's own limits are far above what the tests send). */
const MAX_BODY = 1 << 20;

interface Compiled {
  route: GithubRoute;
  pattern: RegExp;
  names: string[];
}

function compile(route: GithubRoute): Compiled {
  const names: string[] = [];
  const source = route.path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  // Fails at once for a route GitHub does not have.
  operationContract(route.method, route.path);
  return { route, pattern: new RegExp(`^${source}$`), names };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function startGithubApi(t: Failing, routes: GithubRoute[]): Promise<GithubApi> {
  const compiled = routes.map(compile);
  const calls: GithubCall[] = [];
  const unmatched: string[] = [];
  const drift = (message: string): GithubAnswer => {
    t.fail(`GitHub stand-in drifted from GitHub's REST description: ${message}`);
    return { status: 500, body: { message: `stand-in drift: ${message}` } };
  };
  const serve = async (req: IncomingMessage): Promise<GithubAnswer> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const method = req.method ?? 'GET';
    for (const { route, pattern, names } of compiled) {
      const m = route.method === method ? pattern.exec(path) : null;
      if (!m) continue;
      const contract = operationContract(route.method, route.path);
      const body = await readBody(req);
      const refused = contract.checkRequest(body);
      if (refused) return drift(refused);
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
      const request: GithubRequest = {
        method,
        route: route.path,
        params,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      const answer = await route.handle(request);
      const wrong = contract.checkAnswer(answer.status, answer.body);
      calls.push({ method, route: route.path, params, body, status: answer.status });
      return wrong ? drift(wrong) : answer;
    }
    unmatched.push(`${method} ${path}`);
    return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  };
  const server = createServer((req, res) => {
    serve(req)
      .catch((err: Error) => drift(`the route threw: ${err.message}`))
      .then(({ status, body, headers }) => {
        const json = body === undefined ? undefined : JSON.stringify(body);
        res.writeHead(status, {
          ...(json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          ...headers,
        });
        res.end(json);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.teardown(close);
  return { url: `http://127.0.0.1:${port}`, calls, unmatched, close };
}
