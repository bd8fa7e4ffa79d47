// Rules that check names against the controller config: agents, GitHub Apps, models, local tools.
import type { ControllerConfig } from '../../api/index.js';
import { error, type Finding, warning } from '../../validation/index.js';
import { field, type Rule } from './context.js';

const list = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

export const knownAgent =
  (path: string): Rule<unknown> =>
  ({ object, config }) => {
    const agent = field(object, path);
    if (typeof agent !== 'string') return [];
    const known = Object.keys(config.agents);
    if (known.includes(agent)) return [];
    return [
      error(
        'known-agent',
        path,
        `Unsupported value: "${agent}": known agents: ${list(known)} (from the controller config)`,
      ),
    ];
  };

/** A string field that must be one of a config list (an empty list accepts anything). */
const memberOf =
  (
    listOf: (config: ControllerConfig) => string[] | undefined,
    finding: (path: string, value: string, known: string[]) => Finding,
  ) =>
  (path: string): Rule<unknown> =>
  ({ object, config }) => {
    const value = field(object, path);
    const known = listOf(config) ?? [];
    if (typeof value !== 'string' || known.length === 0 || known.includes(value)) return [];
    return [finding(path, value, known)];
  };

export const recognisedGithubApp = memberOf(
  (config) => config.githubApps,
  (path, app, known) =>
    error('github-app', path, `Unsupported value: "${app}": recognised GitHub Apps: ${list(known)}`),
);

/** Each of a CodeRun's localTools names a local MCP server of the tool presets (else rendering fails). */
export const knownLocalTools: Rule<unknown> = ({ object, localTools }) => {
  const tools = field(object, 'spec.localTools');
  if (!localTools || !Array.isArray(tools)) return [];
  const findings: Finding[] = [];
  tools.forEach((tool, i) => {
    if (typeof tool === 'string' && !localTools.includes(tool))
      findings.push(
        error(
          'known-local-tool',
          `spec.localTools[${i}]`,
          `Unsupported value: "${tool}": known local tools: ${list([...localTools])} (localServers in the templates' tool-presets.yaml)`,
        ),
      );
  });
  return findings;
};

/** An unknown model may be brand new: warn (kubectl prints it) rather than deny. */
export const knownModel = memberOf(
  (config) => config.models,
  (path, model, known) =>
    warning(
      'unknown-model',
      path,
      `"${model}" is not one of the configured models (${list(known)}); the agent may reject it`,
    ),
);
