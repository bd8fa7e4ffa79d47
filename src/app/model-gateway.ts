// The model gateway's step of `orchestrator run`: on every replica, its keys and ledger in the operator's
// namespace (docs/economics.md); gateway.ts wires it.

import { connectionLimits } from './connections.js';
import { type ModelGateway, startModelGateway } from './gateway.js';
import type { GithubApps } from './github-apps.js';
import type { Connected } from './run-context.js';

export function serveModelGateway(proc: Connected, github: GithubApps): Promise<ModelGateway | undefined> {
  const { config } = proc.inputs;
  return startModelGateway({
    client: proc.client,
    config,
    namespace: proc.opts.namespace,
    connections: connectionLimits(config.current()),
    address: proc.opts.gateway,
    logger: proc.logger,
    // The phases get their App tokens from the broker there, so the reconcilers mint none into
    // Secrets of the run's namespace (docs/security.md "Phases and their credentials").
    ...(github.tokens ? { githubTokens: github.tokens } : {}),
  });
}
