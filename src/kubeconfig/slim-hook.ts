// A module resolve hook (node:module registerHooks) that serves client-node's config.js a narrowed copy
// of its generated index (gen-slim.ts): loading KubeConfig then costs ~40 MiB less memory
// (docs/decisions/0002-slim-client-node.md); and its imports of the packages it needs only for a proxy or a
// kubeconfig file, a module loading them on first use (lazy-deps.ts). Only those imports of config.js
// (and its fetch library's of undici) are redirected; everything else resolves as usual. Synchronous, in the loading thread: no loader worker to start or keep.
import type { ResolveHookSync } from 'node:module';

const CLIENT_NODE = '/node_modules/@kubernetes/client-node/dist/';
const CONFIG_MODULE = `${CLIENT_NODE}config.js`;
/** The modules whose imports of LAZY_PACKAGES go to lazy-deps.ts: config.js and its fetch library. */
const LAZY_PARENTS = [CONFIG_MODULE, `${CLIENT_NODE}gen/http/isomorphic-fetch.js`];
const SLIM = new URL('./gen-slim.js', import.meta.url).href;
/** config.js's imports served lazily (lazy-deps.ts): its proxies' packages and js-yaml. */
const LAZY = new URL('./lazy-deps.js', import.meta.url).href;
const LAZY_PACKAGES = new Set(['undici', 'socks-proxy-agent', 'socks', 'hpagent', 'js-yaml']);

export const resolve: ResolveHookSync = (specifier, context, next) => {
  const parent = context.parentURL;
  if (specifier === './gen/index.js' && parent?.endsWith(CONFIG_MODULE))
    return { url: SLIM, shortCircuit: true };
  if (LAZY_PACKAGES.has(specifier) && LAZY_PARENTS.some((p) => parent?.endsWith(p)))
    return { url: LAZY, shortCircuit: true };
  return next(specifier, context);
};
