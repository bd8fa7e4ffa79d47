// A module resolve hook (node:module registerHooks) that serves client-node's config.js a narrowed copy
// of its generated index (gen-slim.ts): loading KubeConfig then costs ~40 MiB less memory
// (docs/decisions/0002-slim-client-node.md). Only that one import of that one module is redirected; everything else
// resolves as usual. Synchronous, in the loading thread: no loader worker to start or keep.
import type { ResolveHookSync } from 'node:module';

const CONFIG_MODULE = '/node_modules/@kubernetes/client-node/dist/config.js';
const SLIM = new URL('./gen-slim.js', import.meta.url).href;

export const resolve: ResolveHookSync = (specifier, context, next) => {
  if (specifier === './gen/index.js' && context.parentURL?.endsWith(CONFIG_MODULE))
    return { url: SLIM, shortCircuit: true };
  return next(specifier, context);
};
