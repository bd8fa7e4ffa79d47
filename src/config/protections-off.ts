// The protections a controller config can turn off (the model gateway, egress by allowlist, the kept
// logs) and, in one place, what each one off exposes and how to turn it on: the manager logs it as a
// warning at every start and on a reload that turns one off (src/app/protections-off.ts), and `orchestrator doctor` reports it
// (src/doctor/protections.ts), in the same words. Off is allowed, never silent (docs/economics.md,
// docs/security.md).
import type { ControllerConfig } from '../api/index.js';

/** A protection the config has off, in the words both the log and doctor use. */
export interface ProtectionOff {
  /** The config field that turns it on. */
  field: 'gateway.enabled' | 'egress.enabled' | 'logs.keptBytes';
  /** What is exposed while it is off. */
  exposes: string;
  /** How to turn it on. */
  turnOn: string;
}

/** The agent profiles whose runs get no spec.limits.maxBudgetUsd by default, so may run without one. */
function uncappedProfiles(config: ControllerConfig): string[] {
  return Object.entries(config.agents)
    .filter(([, profile]) => profile.limits?.maxBudgetUsd?.default === undefined)
    .map(([name]) => name)
    .sort();
}

function gatewayOff(config: ControllerConfig): ProtectionOff {
  const uncapped = uncappedProfiles(config);
  const cap =
    uncapped.length === 0
      ? "capped at the attempt's spec.limits.maxBudgetUsd"
      : `capped at the attempt's spec.limits.maxBudgetUsd, and not capped at all for a run without one (profiles with no limits.maxBudgetUsd.default: ${uncapped.join(', ')})`;
  return {
    field: 'gateway.enabled',
    exposes:
      "the model gateway is off (gateway.enabled: false): every agent container gets the platform's model key " +
      `(secrets.apiKey) from a Secret of its namespace, and the cost in an agent's own termination message is the bill (${cap}); ` +
      'team budgets sum these self-reported figures',
    turnOn:
      "put the platform's key in a Secret of the operator's namespace (gateway.upstream.apiKey) and set gateway.enabled: true " +
      'in the controller config (docs/economics.md "The model gateway")',
  };
}

const EGRESS_OFF: ProtectionOff = {
  field: 'egress.enabled',
  exposes:
    'egress by allowlist is off (egress.enabled: false): agents reach any public address, so an agent can send what its workspace holds to any host, and fetch anything from one',
  turnOn: 'set egress.enabled: true in the controller config (docs/agent-pods.md "Egress")',
};

const LOGS_OFF: ProtectionOff = {
  field: 'logs.keptBytes',
  exposes:
    "no attempt's log is kept (logs.keptBytes: 0): what an agent did is gone with its pod (the Job's ttlSecondsAfterFinished), and nothing records it",
  turnOn:
    'set logs.keptBytes above 0 in the controller config, or leave it out for its default (docs/logs.md)',
};

/** The protections `config` has off, gateway first. */
export function protectionsOff(config: ControllerConfig): ProtectionOff[] {
  return [
    ...(config.gateway?.enabled ? [] : [gatewayOff(config)]),
    ...(config.egress?.enabled ? [] : [EGRESS_OFF]),
    ...(config.logs?.keptBytes === 0 ? [LOGS_OFF] : []),
  ];
}

/** The protections `after` has off that `before` had on (what a reload turned off). */
export function turnedOff(before: ControllerConfig, after: ControllerConfig): ProtectionOff[] {
  const was = new Set(protectionsOff(before).map((p) => p.field));
  return protectionsOff(after).filter((p) => !was.has(p.field));
}
