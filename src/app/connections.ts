// The config's `connections`, in the form every listener of the process (webhooks, REST API, gateway,
// metrics) is held to.
import type { ControllerConfig } from '../api/index.js';
import type { ConnectionLimits } from '../http/index.js';

/** The config's `connections`, which every listener of the process is held to. */
export const connectionLimits = ({ connections }: ControllerConfig): ConnectionLimits => ({
  maxPerListener: connections.maxPerListener,
  maxPerAddress: connections.maxPerAddress,
  headerTimeoutMs: connections.headerTimeoutSeconds * 1000,
  reservedForTrusted: connections.reservedForTrusted,
  maxPerUnprovenAddress: connections.maxPerUnprovenAddress,
  trustedSources: connections.trustedSources,
});
