// A git smart-HTTP server over TLS (git http-backend as CGI) that demands HTTP Basic credentials, run
// as its own process so that an entry script run synchronously can reach it. Environment:
// GIT_ROOT (the repositories), CERT_FILE/KEY_FILE, EXPECT_USER/EXPECT_TOKEN, HOST (default 127.0.0.1),
// API_UPSTREAM (optional: where /api/ requests go, relayToApi), TOKEN_DIR (optional: tokens issued
// while it runs, each accepted for EXPECT_USER while a file named by its SHA-256 is there, whose
// content labels it). Prints JSON lines: {"msg":"listening","port":N}, then one
// {"msg":"request",auth,user,service,path,label} per request, where auth is none (answered 401, so git
// asks its credential helper), ok or bad (401 again), and label the accepted token's.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { join } from 'node:path';

const env = (name: string) => process.env[name] ?? '';
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** The label of a token issued into TOKEN_DIR, when it is there. */
function issued(token: string): string | undefined {
  if (!env('TOKEN_DIR')) return undefined;
  try {
    return readFileSync(join(env('TOKEN_DIR'), createHash('sha256').update(token).digest('hex')), 'utf8');
  } catch {
    return undefined;
  }
}

function credentials(req: IncomingMessage): { auth: 'none' | 'ok' | 'bad'; user?: string; label?: string } {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return { auth: 'none' };
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const user = decoded.slice(0, decoded.indexOf(':'));
  const token = decoded.slice(user.length + 1);
  if (user === env('EXPECT_USER') && token === env('EXPECT_TOKEN')) return { auth: 'ok', user };
  const label = user === env('EXPECT_USER') ? issued(token) : undefined;
  return label === undefined ? { auth: 'bad', user } : { auth: 'ok', user, label };
}

/** Hands the request to git http-backend and relays its CGI response (headers, blank line, body). */
function backend(req: IncomingMessage, res: ServerResponse, user: string) {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: env('PATH'),
      GIT_PROJECT_ROOT: env('GIT_ROOT'),
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_USER: user,
      REMOTE_ADDR: '127.0.0.1',
    },
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let sent = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (sent) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const [name = '', ...rest] = line.split(':');
      const value = rest.join(':').trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
    sent = true;
  });
  cgi.on('close', () => res.end());
}

/**
 * With API_UPSTREAM, GitHub Enterprise's layout: `/api/…` is its REST API (`gh` with GH_HOST set to
 * this host calls https://host/api/v3/…), relayed as it is to the stand-in at that http URL.
 */
function relayToApi(req: IncomingMessage, res: ServerResponse) {
  const upstream = request(
    new URL(req.url ?? '/', env('API_UPSTREAM')),
    { method: req.method, headers: req.headers, timeout: 30_000 },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('the API stand-in did not answer in 30 s')));
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(err.message));
  });
  say({ msg: 'api', method: req.method, path: req.url });
  req.pipe(upstream);
}

const server = createServer(
  { cert: readFileSync(env('CERT_FILE')), key: readFileSync(env('KEY_FILE')) },
  (req, res) => {
    if (env('API_UPSTREAM') && req.url?.startsWith('/api/')) return relayToApi(req, res);
    const { auth, user, label } = credentials(req);
    const service = new URL(req.url ?? '/', 'https://localhost').searchParams.get('service') ?? req.url;
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    say({ msg: 'request', auth, user, service, path, ...(label === undefined ? {} : { label }) });
    if (auth !== 'ok') {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      return void res.end();
    }
    backend(req, res, user ?? '');
  },
);
server.listen(0, env('HOST') || '127.0.0.1', () => {
  const address = server.address();
  say({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
