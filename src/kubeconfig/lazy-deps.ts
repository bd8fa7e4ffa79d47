// What client-node's config.js imports for a kubeconfig's proxy (undici's index, socks-proxy-agent,
// socks, hpagent) and for reading a kubeconfig file (js-yaml), and its generated client's fetch
// (undici's), loaded when first used rather than when config.js links: slim-hook.ts serves this module for those imports. The manager's calls go through
// its own client (src/runtime), which never asks config.js for an agent, and in a pod it reads no
// kubeconfig file; undici's index alone held ~3 MiB of heap (docs/decisions/0088-lean-manager-start.md).
// Each name is what config.js takes from its package, used the way config.js uses it: classes built
// with `new`, SocksClient's static createConnection, js-yaml's load. The packages are resolved from
// config.js's folder, so it gets the very versions it depends on; from the folder, not from config.js,
// whose imports of them slim-hook.ts redirects here.
import { createRequire } from 'node:module';

const requireDep = createRequire(
  new URL('./', import.meta.resolve('@kubernetes/client-node/dist/config.js')),
);

type Constructor = new (...args: unknown[]) => object;

/** A class whose `new` builds `name` of `pkg`, the package loaded then. */
function lazyClass(pkg: string, name: string): Constructor {
  return class {
    constructor(...args: unknown[]) {
      const Real = (requireDep(pkg) as Record<string, Constructor>)[name] as Constructor;
      // biome-ignore lint/correctness/noConstructorReturn: the instance is the package's own, built on first use.
      return new Real(...args);
    }
  };
}

// undici (config.js's fetch agent and the generated client's fetch, for makeApiClient; the manager's
// client has its own pool).
export const Agent = lazyClass('undici', 'Agent');
export const fetch = (...args: unknown[]): unknown =>
  (requireDep('undici') as { fetch: (...a: unknown[]) => unknown }).fetch(...args);
export const ProxyAgent = lazyClass('undici', 'ProxyAgent');
// socks-proxy-agent and socks (a socks5 proxy-url).
export const SocksProxyAgent = lazyClass('socks-proxy-agent', 'SocksProxyAgent');
export const SocksClient = {
  createConnection: (...args: unknown[]): unknown =>
    (
      requireDep('socks') as { SocksClient: { createConnection: (...a: unknown[]) => unknown } }
    ).SocksClient.createConnection(...args),
};
// hpagent (an http or https proxy-url).
export const HttpProxyAgent = lazyClass('hpagent', 'HttpProxyAgent');
export const HttpsProxyAgent = lazyClass('hpagent', 'HttpsProxyAgent');
// js-yaml (KubeConfig.loadFromString, for a kubeconfig file).
export const load = (...args: unknown[]): unknown =>
  (requireDep('js-yaml') as { load: (...a: unknown[]) => unknown }).load(...args);
