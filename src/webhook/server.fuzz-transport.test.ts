// Fuzzing the webhook server's HTTP surface: wrong content types, other methods and paths, malformed
// HTTP, bodies at and over the 3 MiB limit (with and without Content-Length), stalled clients. The
// contract (issue 4): the server never crashes, a client error is a 4xx (never a 5xx), and everything is
// answered, or cut by the server's request timeout. Nothing is timed: a client gives up only after a
// deadline far beyond that timeout, and an answer missing by then fails the test.

import { connect as tcpConnect } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import t from 'tap';
import { encode } from '../../test/fuzz/bodies.js';
import { type Answer, head, type RawWriter, sleep, writeAll } from '../../test/fuzz/http.js';
import { type Json, review, reviewProblem } from '../../test/fuzz/reviews.js';
import { afterAllStillServing, LIMIT, startFuzzServer } from '../../test/fuzz/server.js';
import { scaled, within } from '../../test/harness/util/wait.js';
import { webhookPath } from './handlers.js';

const fuzz = await startFuzzServer(t);

t.test('a content type other than application/json is 415; parameters and case do not matter', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  const body = encode(review('TaskRun'));
  const rejected = [
    undefined,
    '',
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/jsonx',
    'application/yaml',
    'application/vnd.kubernetes.protobuf',
    'json',
    '*/*',
  ];
  for (const type of rejected) {
    // Raw, because node's client refuses to send some of these (no header at all, a NUL in it).
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
    if (type !== undefined) headers['content-type'] = type;
    const a = await fuzz.exchange((s) => {
      s.write(`${head('POST', path, headers)}${body}`);
    });
    t.equal(a.status, 415, `${JSON.stringify(type)}: ${a.error ?? a.body.slice(0, 120)}`);
  }
  for (const type of [
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json ; charset=UTF-8',
  ]) {
    const a = await fuzz.send({ path, body, headers: { 'content-type': type } });
    t.equal(reviewProblem(body, a), undefined, `${type} is accepted`);
  }
});

t.test('other methods are 405 on a webhook path; unknown paths are 404', async (t) => {
  const path = webhookPath('mutate', 'TaskRun');
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    const a = await fuzz.send({ path, method, body: encode(review('TaskRun')) });
    t.equal(a.status, 405, `${method}: ${a.error ?? a.body.slice(0, 120)}`);
    t.match(a.headers.allow ?? '', /POST/, `${method}: Allow names POST`);
  }
  const headAnswer = await fuzz.exchange(
    (s) => {
      s.write(head('HEAD', path, {}));
    },
    { head: true },
  );
  t.equal(headAnswer.status, 405, `HEAD: ${headAnswer.error ?? ''}`);
  const options = await fuzz.send({ path, method: 'OPTIONS' });
  t.ok(options.status >= 200 && options.status < 300, `OPTIONS answered ${options.status}`);
  t.match(options.headers.allow ?? '', /POST/, 'OPTIONS: Allow names POST');
  // Methods koa-router does not implement: still a client error, never a 5xx.
  for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH']) {
    const a = await fuzz.send({ path, method, body: encode(review('TaskRun')) });
    t.ok(a.status >= 400 && a.status < 500, `${method} on a webhook path is a 4xx (got ${a.status})`);
  }

  const body = encode(review('TaskRun'));
  for (const unknown of [
    '/',
    '/healthz',
    '/mutate',
    '/mutate-orchestrator-io-v1-pod',
    '/mutate-orchestrator-io-v2-taskrun',
    `${path}/x`,
    `${path}x`,
    '/%',
    '/%ff',
    '/%00',
    '/..%2f..%2fetc%2fpasswd',
    `/${'a'.repeat(8000)}`,
    '//',
  ]) {
    const a = await fuzz.send({ path: unknown, body });
    t.equal(a.status, 404, `${unknown.slice(0, 40)}: ${a.error ?? a.body.slice(0, 120)}`);
    for (const method of ['GET', 'TRACE']) {
      const other = await fuzz.send({ path: unknown, method, body });
      t.ok(
        other.status >= 400 && other.status < 500,
        `${method} ${unknown.slice(0, 40)}: 4xx (${other.status})`,
      );
    }
  }
  // The apiserver appends ?timeout=10s to the webhook URL.
  const withQuery = await fuzz.send({ path: `${path}?timeout=10s`, body });
  t.equal(reviewProblem(body, withQuery), undefined, 'a query string does not change the route');
});

t.test('malformed HTTP is a 4xx from the HTTP layer, not a crash', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  const cases: [string, string][] = [
    ['garbage request line', 'GARBAGE\r\n\r\n'],
    [
      'bad Content-Length',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n`,
    ],
    [
      'Content-Length and Transfer-Encoding',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'bad chunk size',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
    ['headers too large', `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['header without colon', `POST ${path} HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n`],
    [
      'NUL in a header value',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\u0000\r\n\r\n`,
    ],
  ];
  for (const [what, text] of cases) {
    const a = await fuzz.exchange((s) => {
      s.write(text);
    });
    t.ok(a.status >= 400 && a.status < 500, `${what}: 4xx (got ${a.status} ${a.error ?? ''})`);
  }
});

t.test('bodies over 3 MiB are 413, with or without Content-Length; exactly 3 MiB is read', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  // A valid review padded to an exact size with an annotation.
  const sized = (bytes: number) => {
    const body = review('TaskRun');
    const meta = ((body.request as Json).object as Json).metadata as Json;
    meta.annotations = { pad: '' };
    const overhead = Buffer.byteLength(encode(body));
    (meta.annotations as Json).pad = 'p'.repeat(bytes - overhead);
    const text = encode(body);
    if (Buffer.byteLength(text) !== bytes) throw new Error('padding went wrong');
    return text;
  };
  const atLimit = sized(LIMIT);
  const overLimit = sized(LIMIT + 1);

  t.equal(
    reviewProblem(atLimit, await fuzz.send({ path, body: atLimit })),
    undefined,
    'exactly the limit: answered',
  );
  const declared = await fuzz.send({ path, body: overLimit });
  t.equal(
    declared.status,
    413,
    `Content-Length over the limit: ${declared.error ?? declared.body.slice(0, 100)}`,
  );

  const chunked = (text: string) =>
    fuzz.exchange(async (s, answered) => {
      await writeAll(
        s,
        answered,
        head('POST', path, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      );
      const buf = Buffer.from(text);
      for (let at = 0; at < buf.length && !answered(); at += 64 * 1024) {
        const piece = buf.subarray(at, at + 64 * 1024);
        await writeAll(s, answered, `${piece.length.toString(16)}\r\n`);
        await writeAll(s, answered, piece);
        await writeAll(s, answered, '\r\n');
      }
      await writeAll(s, answered, '0\r\n\r\n');
    });
  t.equal(reviewProblem(atLimit, await chunked(atLimit)), undefined, 'chunked, exactly the limit: answered');
  const overChunked = await chunked(sized(LIMIT + 1));
  t.equal(overChunked.status, 413, `chunked over the limit: ${overChunked.error ?? ''}`);
  const wayOver = await chunked(`[${'1,'.repeat(4 * 1024 * 1024)}1]`);
  t.equal(wayOver.status, 413, `chunked 8 MiB: ${wayOver.error ?? ''}`);

  // Declares 10 GiB and sends almost nothing: refused at once, not after waiting for the body (which
  // never comes: the request timeout would then answer 408).
  const lie = await fuzz.exchange((s) => {
    s.write(
      `${head('POST', path, { 'content-type': 'application/json', 'content-length': 10 * 1024 ** 3 })}{"a":`,
    );
  });
  t.equal(lie.status, 413, `Content-Length of 10 GiB, refused from the header: ${lie.error ?? ''}`);
});

t.test('stalled clients (slowloris) are cut by the request timeout', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  const body = encode(review('TaskRun'));
  const json = { 'content-type': 'application/json' };
  const stalls: [string, RawWriter, number[]][] = [
    [
      'body stalls after 10 bytes (Content-Length)',
      (s) => {
        s.write(`${head('POST', path, { ...json, 'content-length': body.length })}${body.slice(0, 10)}`);
      },
      [408],
    ],
    [
      'chunked body stalls after one chunk',
      (s) => {
        s.write(
          `${head('POST', path, { ...json, 'transfer-encoding': 'chunked' })}a\r\n${body.slice(0, 10)}\r\n`,
        );
      },
      [408],
    ],
    [
      'body trickles one byte every 100 ms',
      async (s, answered) => {
        s.write(head('POST', path, { ...json, 'content-length': body.length }));
        for (let i = 0; i < body.length && !answered() && !s.destroyed; i++) {
          s.write(body[i] as string);
          await sleep(100);
        }
      },
      [408],
    ],
    [
      'headers stall half-way',
      (s) => {
        s.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty`);
      },
      [408],
    ],
    [
      'headers trickle one byte every 100 ms',
      async (s, answered) => {
        const text = head('POST', path, { ...json, 'content-length': body.length, 'x-pad': 'p'.repeat(200) });
        for (let i = 0; i < text.length && !answered() && !s.destroyed; i++) {
          s.write(text[i] as string);
          await sleep(100);
        }
      },
      [408],
    ],
    ['connection open, nothing sent', () => {}, [408]],
  ];
  const answers = await Promise.all(stalls.map(([, write]) => fuzz.exchange(write)));
  stalls.forEach(([what, , codes], i) => {
    const a = answers[i] as Answer;
    // Cut by the server: its 408, or a bare close (no status) for a request that never got its headers
    // across. A client that gave up waiting ("no answer within") is neither.
    const ok = codes.includes(a.status) || (a.status === 0 && /closed|reset|ECONNRESET/.test(a.error ?? ''));
    t.ok(ok, `${what}: cut by the server (${a.status || a.error})`);
  });

  // A connection that never even finishes the TLS handshake is not kept for minutes either: the server
  // closes it (its handshake timeout is the request timeout).
  const socket = tcpConnect(fuzz.server.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await within('the server to close a TCP connection that never starts TLS', closed, { timeoutMs: 30_000 });
  t.pass('a TCP connection without a TLS handshake is closed by the server');
});

t.test('many stalled connections do not delay a valid review', async (t) => {
  // A server of its own that would keep stalled clients for a minute: a review answered while all of
  // them are still open did not wait for any of them to be cut. They come from four other addresses,
  // each within an unproven address's share of connections (16), as many clients' would.
  const patient = await startFuzzServer(t, { requestTimeoutMs: scaled(60_000) });
  const path = webhookPath('validate', 'TaskRun');
  const sockets: TLSSocket[] = [];
  const cut = new Set<TLSSocket>();
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  await Promise.all(
    Array.from(
      { length: 50 },
      (_, i) =>
        new Promise<void>((resolve) => {
          const from = { localAddress: `127.0.0.${2 + (i % 4)}` };
          const s = connect(
            { host: '127.0.0.1', port: patient.server.port, ca: patient.caPem, ...from },
            () => {
              s.write(
                `${head('POST', path, { 'content-type': 'application/json', 'content-length': 1000 })}{"a":`,
              );
              resolve();
            },
          );
          s.on('error', () => resolve());
          s.on('close', () => cut.add(s));
          sockets.push(s);
        }),
    ),
  );
  t.equal(cut.size, 0, '50 stalled connections open');
  const body = encode(review('TaskRun'));
  const a = await patient.send({ path, body });
  t.equal(reviewProblem(body, a), undefined, 'answered');
  t.equal(cut.size, 0, 'answered while every stalled connection was still open');
  for (const s of sockets) s.destroy();
});

afterAllStillServing(t, fuzz);
