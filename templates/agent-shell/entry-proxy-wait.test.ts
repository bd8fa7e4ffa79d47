// A NetworkPolicy engine admits a new pod's address some time after the pod starts, and drops its
// packets until then (issue 53): the entry script retries its first connection to the egress proxy
// with a bounded, doubling wait and says what it waited for, before the clone or the agent's first
// call would fail on it. Dropped connections are the `timeout` of the script's probe giving up
// (status 124, as when a SYN goes unanswered), counted by a stand-in ahead of the real one on PATH.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import t, { type Test } from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderTaskRun } from '../../src/render/index.js';
import { sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture } from '../../test/harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };

/** `timeout` whose first STUB_DROPPED calls give up as a dropped connection would; the rest are real. */
const TIMEOUT_STAND_IN = `#!/usr/bin/env bash
n=$(cat "$STUB_OUT/probes" 2>/dev/null || echo 0)
echo $((n + 1)) >"$STUB_OUT/probes"
if ((n < \${STUB_DROPPED:-0})); then exit 124; fi
exec /usr/bin/timeout "$@"
`;

/** A listener standing for the proxy: the kernel completes connections while the test is blocked. */
async function listening(t: Test): Promise<number> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A port nothing listens on (taken, then let go). */
async function closedPort(t: Test): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  t.ok(address && typeof address !== 'string');
  return typeof address === 'object' && address ? address.port : 0;
}

function prepareOnLocalRepo(t: Test) {
  const f = fixture(t);
  writeFileSync(path.join(f.bin, 'timeout'), TIMEOUT_STAND_IN, { mode: 0o755 });
  const url = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'hello\n' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url, branch: 'main' };
  return { f, rendered: renderTaskRun(set, spec, config, 1, f.options) };
}

t.test('the first connections to the proxy dropped: the script waits, says so, then clones', async (t) => {
  const port = await listening(t);
  const { f, rendered } = prepareOnLocalRepo(t);
  const proxy = `http://127.0.0.1:${port}`;
  const r = f.run(rendered, { HTTPS_PROXY: proxy, HTTP_PROXY: proxy, STUB_DROPPED: '2' });
  t.equal(r.status, 0, r.log);
  t.match(
    r.log,
    /the egress proxy at 127\.0\.0\.1:\d+ accepted no connection yet \(try 1 of 8; a new pod's address may not be admitted by the NetworkPolicy engine yet\): trying again in 1s/,
  );
  t.match(r.log, /try 2 of 8.*trying again in 2s/);
  t.match(r.log, /the egress proxy at 127\.0\.0\.1:\d+ accepted a connection at try 3/);
  t.match(r.log, /workspace prepared in /, 'the clone followed');
  t.ok(r.argv.length > 0, 'and the agent ran');
});

t.test('a proxy that never answers: the wait is bounded and the run fails naming it', async (t) => {
  const port = await closedPort(t);
  const { f, rendered } = prepareOnLocalRepo(t);
  const proxy = `http://127.0.0.1:${port}`;
  const r = f.run(rendered, { HTTPS_PROXY: proxy, PROXY_WAIT_TRIES: '3' }, true);
  t.equal(r.status, 1, r.log);
  const summary = (JSON.parse(r.result) as { summary?: string }).summary;
  t.equal(
    summary,
    `failed before the agent ran: the egress proxy at 127.0.0.1:${port} accepted no connection in 3 tries (is the proxy running, and does the cluster's NetworkPolicy engine admit this pod?)`,
  );
  t.notMatch(r.log, /resuming|starting the branch/, 'no clone attempted');
});

t.test('a proxy that answers at once: nothing is said about waiting', async (t) => {
  const port = await listening(t);
  const { f, rendered } = prepareOnLocalRepo(t);
  const r = f.run(rendered, { HTTPS_PROXY: `http://127.0.0.1:${port}` }, true);
  t.equal(r.status, 0, r.log);
  t.notMatch(r.log, /egress proxy/);
});
