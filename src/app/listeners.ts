// The manager's listeners checked before any of them opens: two on one port would leave the second
// failing at start with EADDRINUSE, or worse, a seed deployment's SERVER_PORT=8080 (its REST API's
// port) taking the metrics' place. And a seed variable beside the flag for the same address is a
// choice the manager cannot make for its user: both are refused, naming what to change.
import type { ListenAddress } from '../runtime/index.js';

/** One listener: what it is, where its address comes from (for the error), and the address. */
export interface Listener {
  name: string;
  sources: string;
  address: ListenAddress;
}

/** The seed variables (src/config/env-overrides.ts) that set the REST API's address. */
const API_VARIABLES = ['SERVER_HOST', 'SERVER_PORT'] as const;

/** `--api-bind-address` beside SERVER_HOST or SERVER_PORT: refused, as neither may silently win. */
export function apiAddressSources(flag: string | undefined, env: NodeJS.ProcessEnv): void {
  if (flag === undefined) return;
  const set = API_VARIABLES.filter((name) => env[name] !== undefined);
  if (set.length === 0) return;
  throw new Error(
    `--api-bind-address=${flag} and ${set.map((n) => `${n}=${env[n]}`).join(', ')} both set the REST API's address (api.bindAddress): give one of them`,
  );
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** Whether two addresses take the same port: port 0 is any free one; two distinct hosts do not meet. */
function meet(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  const [x, y] = [a.host ?? '', b.host ?? ''];
  return x === y || WILDCARDS.has(x) || WILDCARDS.has(y);
}

/** Throws naming the first two listeners that would take one port. */
export function refuseSharedPorts(listeners: readonly Listener[]): void {
  for (const [i, a] of listeners.entries())
    for (const b of listeners.slice(i + 1))
      if (meet(a.address, b.address))
        throw new Error(
          `${a.name} (${a.sources}) and ${b.name} (${b.sources}) both listen on port ${a.address.port}: give each its own port`,
        );
}
