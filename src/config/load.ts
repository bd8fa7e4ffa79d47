// The controller configuration: one YAML file, validated by schemas/controller-config.schema.yaml,
// defaults from the schema filled in, plus the cross-field rules a schema cannot say.
// The design it implements: docs/design.md §8.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import {
  type ControllerConfig,
  configEnvAllowed,
  type DefaultTree,
  defaultTree,
  ENV_NAME,
  envNameProblem,
  loadSchema,
  withSchemaDefaults,
} from '../api/index.js';
import { rangeProblem } from '../http/index.js';
import { qualifiedNameProblem, taskPatternProblem } from '../naming/index.js';
import { packageRoot } from '../util/index.js';
import {
  compileSchema,
  error,
  type Finding,
  formatFinding,
  podTemplateFindings,
} from '../validation/index.js';
import { alertFindings } from './alerts.js';
import { economicsFindings } from './economics.js';
import { egressFindings } from './egress.js';
import { type ConfigEnv, withEnvOverrides } from './env-overrides.js';
import { mcpServerFindings } from './mcp-servers.js';
import { namespaceScopeFindings } from './namespace-scope.js';
import { notificationFindings } from './notifications.js';
import { seedHint, seedKeyAt } from './seed-keys.js';
import { taskDocsPathProblem } from './task-docs.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly findings: Finding[],
  ) {
    super(
      `invalid controller config ${source}:\n${findings.map((f) => `  - ${formatFinding(f)}`).join('\n')}`,
    );
  }
}

/**
 * The config's check, compiled (or loaded precompiled) once; and its defaults, applied by the same
 * structural defaulting as a run's (api/schema-defaults.ts) rather than by a second ajv validator in
 * useDefaults mode: that one was another ~0.9 MB of generated code and ~5 MiB of the manager's resident
 * memory (measured after loading the config) for a walk of the few paths that hold a default (docs/decisions/0007-config-defaults-by-schema-walk.md).
 */
let compiled: { check: ReturnType<typeof compileSchema>; defaults: DefaultTree | undefined } | undefined;

function validators() {
  if (!compiled) {
    const schema = loadSchema('ControllerConfig');
    compiled = { check: compileSchema(schema), defaults: defaultTree(schema) };
  }
  return compiled;
}

function crossFieldRules(config: ControllerConfig): Finding[] {
  const findings: Finding[] = [];
  const agents = Object.keys(config.agents);
  if (!agents.includes(config.defaultAgent)) {
    findings.push(
      error(
        'config',
        'defaultAgent',
        `Invalid value: "${config.defaultAgent}": not one of the agents (${agents.join(', ')})`,
      ),
    );
  }
  const apps = config.githubApps ?? [];
  const appProfiles = new Map<string, string>();
  for (const [name, agent] of Object.entries(config.agents)) {
    // A run's App selects its profile (src/api/github-app-agent.ts): one App, one profile.
    const app = agent.githubApp?.toLowerCase();
    const other = app === undefined ? undefined : appProfiles.get(app);
    if (other !== undefined)
      findings.push(
        error(
          'config',
          `agents.${name}.githubApp`,
          `Duplicate value: "${agent.githubApp}": agents.${other}.githubApp names the same App, and a run's App selects one profile: give each profile its own App`,
        ),
      );
    else if (app !== undefined) appProfiles.set(app, name);
    if (agent.githubApp && apps.length && !apps.includes(agent.githubApp)) {
      findings.push(
        error(
          'config',
          `agents.${name}.githubApp`,
          `Invalid value: "${agent.githubApp}": not listed in githubApps`,
        ),
      );
    }
    const pull = agent.imagePullPolicy;
    if ((pull === 'IfNotPresent' || pull === 'Never') && floatingImage(agent.image))
      findings.push(
        error(
          'config',
          `agents.${name}.imagePullPolicy`,
          `Invalid value: "${pull}": the image "${agent.image}" has no tag or the tag latest, which names whatever was pushed last; a node would keep running its old copy: give the image a fixed tag or digest, or use Always`,
        ),
      );
    if (agent.systemPrompt !== undefined && agent.systemPromptText !== undefined)
      findings.push(
        error(
          'config',
          `agents.${name}.systemPromptText`,
          'Forbidden: give the system prompt as a template name (systemPrompt) or as text (systemPromptText), not both',
        ),
      );
    // Without its own ServiceAccount the token would be the namespace's default one, granted by whoever.
    if (agent.clusterAccess && !agent.serviceAccountName)
      findings.push(
        error(
          'config',
          `agents.${name}.serviceAccountName`,
          'Required value: an agent with clusterAccess runs as a ServiceAccount of its own (e.g. orchestrator-agent-cluster-access of config/agents)',
        ),
      );
  }
  for (const [field, placeholder] of [
    ['directory', true],
    ['tasksFile', false],
  ] as const) {
    const value = config.taskDocs[field];
    const problem = taskDocsPathProblem(value, placeholder);
    if (problem)
      findings.push(
        error('config', `taskDocs.${field}`, `Invalid value: ${JSON.stringify(value)}: ${problem}`),
      );
  }
  for (const name of Object.keys(config.job.env ?? {})) {
    const problem = ENV_NAME.test(name) && configEnvAllowed(name, config) ? undefined : envNameProblem(name);
    if (problem)
      findings.push(error('config', `job.env[${JSON.stringify(name)}]`, `Invalid value: ${problem}`));
  }
  for (const key of Object.keys(config.job.podAnnotations ?? {})) {
    const problem = qualifiedNameProblem(key);
    if (problem)
      findings.push(
        error('config', `job.podAnnotations[${JSON.stringify(key)}]`, `Invalid value: ${problem}`),
      );
  }
  (config.job.allowedPodAnnotations ?? []).forEach((entry, i) => {
    // A prefix entry is checked as the prefix of a key.
    const problem = qualifiedNameProblem(entry.endsWith('/') ? `${entry}x` : entry);
    if (problem)
      findings.push(
        error(
          'config',
          `job.allowedPodAnnotations[${i}]`,
          `Invalid value: ${JSON.stringify(entry)}: ${problem}`,
        ),
      );
  });
  for (const field of ['branchPattern', 'taskLabel'] as const) {
    const problem = taskPatternProblem(config.githubWebhook[field]);
    if (problem)
      findings.push(
        error(
          'config',
          `githubWebhook.${field}`,
          `Invalid value: ${JSON.stringify(config.githubWebhook[field])}: ${problem}`,
        ),
      );
  }
  findings.push(...podTemplateFindings(config.job.podTemplate, 'job.podTemplate', 'config'));
  for (const [name, agent] of Object.entries(config.agents))
    findings.push(...podTemplateFindings(agent.podTemplate, `agents.${name}.podTemplate`, 'config'));
  findings.push(...namespaceScopeFindings(config));
  findings.push(...economicsFindings(config));
  findings.push(...egressFindings(config));
  findings.push(...connectionFindings(config));
  findings.push(...notificationFindings(config));
  findings.push(...alertFindings(config));
  findings.push(...mcpServerFindings(config));
  return findings;
}

/** The reserve must leave untrusted clients a share, and each trusted range must be one. */
function connectionFindings({ connections }: ControllerConfig): Finding[] {
  const findings: Finding[] = [];
  if (connections.reservedForTrusted >= connections.maxPerListener)
    findings.push(
      error(
        'config',
        'connections.reservedForTrusted',
        `Invalid value: ${connections.reservedForTrusted}: must be below connections.maxPerListener (${connections.maxPerListener}), or no other client could connect`,
      ),
    );
  connections.trustedSources.forEach((cidr, i) => {
    const problem = rangeProblem(cidr);
    if (problem)
      findings.push(error('config', `connections.trustedSources[${i}]`, `Invalid value: ${problem}`));
  });
  return findings;
}

/** An image reference without a digest whose tag is latest or absent (a port is not a tag). */
export function floatingImage(image: string): boolean {
  if (image.includes('@')) return false;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  return colon < 0 || lastPart.slice(colon + 1) === 'latest';
}

/** A problem at a key of the seeds' files, with the command that converts such a file. */
function withSeedHint(finding: Finding): Finding {
  const key = seedKeyAt(finding.path, finding.rule === 'unknown-field');
  return key ? { ...finding, message: `${finding.message}: ${seedHint(key)}` } : finding;
}

/**
 * Parses and validates a config document, with the seeds' environment variables in `env` applied over
 * it (env-overrides.ts; the process passes its own, tests and tools none); throws ConfigError naming
 * every problem.
 */
export function parseConfig(text: string, source = 'config', env: ConfigEnv = {}): ControllerConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => error('yaml', '', e.message.split('\n')[0] ?? e.message)),
    );
  }
  const { value, findings } = withEnvOverrides(doc.toJS({ maxAliasCount: 100 }), env);
  if (findings.length) throw new ConfigError(source, findings);
  return configFrom(value, source);
}

/**
 * Validates a config given as a value (a parsed file, or one built in code) and returns it with every
 * schema default filled in: the only way to a ControllerConfig, whose type makes those fields required.
 */
export function configFrom(value: unknown, source = 'config'): ControllerConfig {
  const { check, defaults } = validators();
  const schemaFindings = check(value);
  if (schemaFindings.length) throw new ConfigError(source, schemaFindings.map(withSeedHint));
  // Cloned: the defaults share the subtrees they leave alone, and the caller keeps its value.
  const config = structuredClone(defaults ? withSchemaDefaults(value, defaults) : value) as ControllerConfig;
  const rules = crossFieldRules(config);
  if (rules.length) throw new ConfigError(source, rules);
  return config;
}

export function loadConfigFile(path: string, env: ConfigEnv = {}): ControllerConfig {
  return parseConfig(readConfigText(path), path, env);
}

/** The file's text, or a ConfigError naming it. */
export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [error('config', '', `cannot read the file: ${(err as Error).message}`)]);
  }
}

/** The controller config shipped with the package (`config/manager/controller-config.yaml`). */
export const defaultConfigFile = (): string =>
  join(packageRoot(), 'config', 'manager', 'controller-config.yaml');

export const loadDefaultConfig = (): ControllerConfig => loadConfigFile(defaultConfigFile());
