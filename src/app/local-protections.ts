// The banner's lines on local mode's two protections, on by default as in every install: where the
// model gateway listens and whether it has the platform's key, and where the agents' egress goes.
import type { ControllerConfig } from '../api/index.js';
import {
  describeModelKey,
  type LocalModelKey,
  MODEL_KEY_ENV,
  MODEL_KEY_FILE_ENV,
} from './local-model-key.js';

function gatewayLines(config: ControllerConfig, port: number | undefined, key?: LocalModelKey): string[] {
  const { enabled, upstream } = config.gateway;
  if (!enabled || port === undefined) return [];
  const secret = `${config.gateway.upstream.apiKey.name}`;
  const head = `The model gateway is on http://127.0.0.1:${port}, forwarding to ${upstream.url}`;
  if (key)
    return [`${head} with the key of Secret orchestrator-system/${secret} (from ${describeModelKey(key)}).`];
  return [
    `${head}; it has no model key. The simulated agents make no model calls; a real CLI's run needs one:`,
    `  start with ${MODEL_KEY_ENV}=… or ${MODEL_KEY_FILE_ENV}=FILE, or (a file holding the key)`,
    `  kubectl -n orchestrator-system create secret generic ${secret} --from-file=${upstream.apiKey.key}=FILE`,
  ];
}

function egressLines(config: ControllerConfig): string[] {
  if (!config.egress.enabled) return [];
  const { name, namespace } = config.egress.proxy;
  return [
    `Egress by allowlist: agents go out only through the proxy ${namespace}/${name}; the fake node runs`,
    '  no pod of it: its agents are simulated and make no calls (docs/local-cluster.md).',
  ];
}

export const protectionLines = (
  config: ControllerConfig,
  gatewayPort: number | undefined,
  key?: LocalModelKey,
) => [...gatewayLines(config, gatewayPort, key), ...egressLines(config)];
