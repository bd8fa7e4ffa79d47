// bin/orchestrator.js registers src/kubeconfig/slim-hook.ts so that client-node's KubeConfig loads
// without the generated API index (docs/decisions/0002-slim-client-node.md). Checked in a child process that loads it the
// way the manager does (from dist/), with an observing resolve hook reporting what was resolved: the
// generated index is not, KubeConfig still reads a kubeconfig and yields its TLS options and token, and
// the narrowed index exports what config.js imports from it (else config.js would not link). The
// observer, registered first, runs after slim-hook.ts (the last registered runs first), so it sees the
// narrowed index's own imports.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { ensureDist, root } from '../../scripts/build.js';

const dist = (path: string) => pathToFileURL(join(root, 'dist', path)).href;

const child = `
import { registerHooks } from 'node:module';
const resolved = [];
registerHooks({
  resolve(specifier, context, next) {
    const answer = next(specifier, context);
    resolved.push({ url: answer.url, parent: context.parentURL });
    return answer;
  },
});
await import(${JSON.stringify(dist('kubeconfig/register-slim.js'))});
const { KubeConfig } = await import(${JSON.stringify(dist('kubeconfig/kube-config.js'))});
const linked = resolved.map((r) => r.url);
const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
  users: [{ name: 'u', token: 'secret-token' }],
  contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
  currentContext: 'x',
});
const options = {};
await kc.applyToHTTPSOptions(options);
// A kubeconfig file's YAML and its proxy-url, through the packages config.js loads on first use.
const agentFor = async (proxy) => {
  const proxied = new KubeConfig();
  proxied.loadFromString([
    'apiVersion: v1',
    'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", proxy-url: "' + proxy + '"}}]',
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: x, context: {cluster: c, user: u}}]',
    'current-context: x',
  ].join('\\n'));
  const opts = {};
  await proxied.applyToHTTPSOptions(opts);
  return opts.agent.constructor.name;
};
console.log(JSON.stringify({
  server: kc.getCurrentCluster().server,
  authorization: options.headers?.Authorization,
  makeApiClient: typeof kc.makeApiClient,
  httpsProxy: await agentFor('http://127.0.0.1:3128'),
  socksProxy: await agentFor('socks5://127.0.0.1:1080'),
  linked,
  resolved,
}));
`;

t.test('KubeConfig loads without the generated API index, and works', async (t) => {
  t.ok(ensureDist(), 'dist/ builds');
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', child], {
    cwd: root,
    encoding: 'utf8',
  });
  t.equal(res.status, 0, `the child exits 0\n${res.stderr}`);
  const out = JSON.parse(res.stdout) as {
    server: string;
    authorization: string;
    makeApiClient: string;
    httpsProxy: string;
    socksProxy: string;
    linked: string[];
    resolved: Array<{ url: string; parent?: string }>;
  };
  t.equal(out.server, 'https://127.0.0.1:6443');
  t.equal(out.authorization, 'Bearer secret-token');
  t.equal(out.makeApiClient, 'function');
  const urls = out.resolved.map((r) => r.url);
  // Resolved once per module importing it; one module all the same.
  const config = new Set(urls.filter((url) => url.endsWith('/client-node/dist/config.js')));
  t.equal(config.size, 1, "client-node's config.js was loaded");
  t.ok(
    out.resolved.some((r) => r.parent?.endsWith('/dist/kubeconfig/gen-slim.js')),
    'the narrowed index was served (its own imports resolved)',
  );
  const generated = urls.filter((url) => /\/client-node\/dist\/gen\/(index|types\/|apis\/)/.test(url));
  t.same(generated, [], 'no generated API module was loaded');
  // The packages config.js needs only for a proxy or a kubeconfig file load when one is used.
  const lazy = /\/node_modules\/(undici|socks-proxy-agent|socks|hpagent|js-yaml)\//;
  t.same(
    out.linked.filter((url) => lazy.test(url)),
    [],
    'KubeConfig loads without undici, socks-proxy-agent, socks, hpagent or js-yaml',
  );
  t.equal(out.httpsProxy, 'HttpsProxyAgent', "an https proxy-url gets hpagent's agent, loaded then");
  t.equal(out.socksProxy, 'SocksProxyAgent', 'a socks5 proxy-url gets socks-proxy-agent, loaded then');
});
