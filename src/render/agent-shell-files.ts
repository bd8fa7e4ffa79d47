// The agent shell (templates/agent-shell/*.sh), the operator's shell functions and hooks the agent
// container runs: the same files for every run of a template set, so
// they are not copied into each attempt's ConfigMap. One immutable ConfigMap per namespace and
// version holds them, named by their content's hash, and the Job projects it into the same
// /task-files volume as the attempt's own (docs/design.md §2.3).
import { createHash } from 'node:crypto';
import { renderedFileKey } from './keys.js';

/** The name's prefix; the rest is the content's hash (a DNS label: 25 + 16 characters). */
export const AGENT_SHELL_CONFIGMAP_PREFIX = 'orchestrator-agent-shell-';
/** The prefix an earlier version gave them (the agent shell was the runtime), hashed alike. */
export const FORMER_AGENT_SHELL_CONFIGMAP_PREFIX = 'orchestrator-runtime-';

export interface AgentShellFiles {
  /** The ConfigMap's name: the prefix and the first 16 hex digits of the data's SHA-256. */
  name: string;
  /** The ConfigMap's data: key (keys.ts) → file. */
  data: Readonly<Record<string, string>>;
}

/** The agent shell of a set, from its files by output path (agent-shell/lib.sh → its text). */
export function agentShellFiles(files: ReadonlyMap<string, string>): AgentShellFiles {
  const data: Record<string, string> = {};
  for (const [output, text] of files) data[renderedFileKey(output)] = text;
  return { name: agentShellName(data), data };
}

/**
 * The name of an agent-shell ConfigMap holding `data`: what makes one found in a namespace the agent
 * shell of some templates (its data hashes to its name), whoever's templates they were. `prefix`: the
 * former one, to tell an earlier version's.
 */
export function agentShellName(
  data: Readonly<Record<string, unknown>>,
  prefix = AGENT_SHELL_CONFIGMAP_PREFIX,
): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) {
    const text = data[key];
    if (typeof text !== 'string') return '';
    // Length-prefixed, so that no two different sets of files hash alike by moving a boundary.
    hash.update(`${Buffer.byteLength(key)}:${key}${Buffer.byteLength(text)}:`).update(text);
  }
  return `${prefix}${hash.digest('hex').slice(0, 16)}`;
}

/** A run's rendered data without the agent shell's keys: what its attempt's own ConfigMap holds. */
export function withoutAgentShell(
  data: Readonly<Record<string, string>>,
  shell: AgentShellFiles,
): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) if (!(key in shell.data)) own[key] = value;
  return own;
}
