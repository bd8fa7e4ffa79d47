// One listener for every provider's API (docs/agents.md "Through the gateway"): a request goes to the
// handler of the provider whose path prefix (PROVIDER_PATHS, src/agent-cli) starts its path, with the
// prefix taken off, so that each handler sees its API's own paths and forwards them as they are. The
// Anthropic API has the root, as it had before there were others.
import type { RequestListener } from 'node:http';
import { PROVIDER_PATHS, type ProviderName } from '../agent-cli/index.js';

export function providerRoutes(handlers: Readonly<Record<ProviderName, RequestListener>>): RequestListener {
  const prefixed = (Object.keys(PROVIDER_PATHS) as ProviderName[])
    .filter((name) => PROVIDER_PATHS[name] !== '')
    .map((name) => ({ prefix: PROVIDER_PATHS[name], handler: handlers[name] }));
  const root = (Object.keys(PROVIDER_PATHS) as ProviderName[]).find((name) => PROVIDER_PATHS[name] === '');
  return (req, res) => {
    const url = req.url ?? '/';
    for (const { prefix, handler } of prefixed) {
      if (url.startsWith(`${prefix}/`)) {
        req.url = url.slice(prefix.length);
        return handler(req, res);
      }
    }
    return handlers[root ?? 'anthropic'](req, res);
  };
}
