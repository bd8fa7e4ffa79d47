// Rules that check names against the controller config: agents, GitHub Apps, models, local tools.
import { agentOfGithubApp, type ControllerConfig } from '../../api/index.js';
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

/**
 * A CodeRun's or DocsRun's App selects the agent it runs (src/api/github-app-agent.ts): one that selects
 * no profile could never be rendered, so it is refused here rather than failed after admission. An App
 * the list of recognised Apps leaves out is recognisedGithubApp's to refuse.
 */
export const appSelectsAgent: Rule<unknown> = ({ object, config }) => {
  const app = field(object, 'spec.githubApp');
  if (typeof app !== 'string') return [];
  const listed = config.githubApps ?? [];
  if (listed.length > 0 && !listed.includes(app)) return [];
  const agent = agentOfGithubApp(config, app);
  if (Object.hasOwn(config.agents, agent)) return [];
  return [
    error(
      'github-app-agent',
      'spec.githubApp',
      `Unsupported value: "${app}": no agent profile names this App (agents.<profile>.githubApp), and "${agent}", the agent its name gives, has no profile: known agents: ${list(Object.keys(config.agents))} (from the controller config)`,
    ),
  ];
};

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
