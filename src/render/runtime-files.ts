// The operator's runtime (templates/runtime/*.sh): the same files for every run of a template set, so
// they are not copied into each attempt's ConfigMap. One immutable ConfigMap per namespace and
// version holds them, named by their content's hash, and the Job projects it into the same
// /task-files volume as the attempt's own (docs/design.md §2.3).
import { createHash } from 'node:crypto';
import { renderedFileKey } from './keys.js';

/** The name's prefix; the rest is the content's hash (a DNS label: 21 + 16 characters). */
export const RUNTIME_CONFIGMAP_PREFIX = 'orchestrator-runtime-';

export interface RuntimeFiles {
  /** The ConfigMap's name: the prefix and the first 16 hex digits of the data's SHA-256. */
  name: string;
  /** The ConfigMap's data: key (keys.ts) → file. */
  data: Readonly<Record<string, string>>;
}

/** The runtime of a set, from its files by output path (runtime/lib.sh → its text). */
export function runtimeFiles(files: ReadonlyMap<string, string>): RuntimeFiles {
  const data: Record<string, string> = {};
  for (const [output, text] of files) data[renderedFileKey(output)] = text;
  return { name: runtimeName(data), data };
}

/**
 * The name of a runtime ConfigMap holding `data`: what makes one found in a namespace the runtime of
 * some templates (its data hashes to its name), whoever's templates they were.
 */
export function runtimeName(data: Readonly<Record<string, unknown>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) {
    const text = data[key];
    if (typeof text !== 'string') return '';
    // Length-prefixed, so that no two different sets of files hash alike by moving a boundary.
    hash.update(`${Buffer.byteLength(key)}:${key}${Buffer.byteLength(text)}:`).update(text);
  }
  return `${RUNTIME_CONFIGMAP_PREFIX}${hash.digest('hex').slice(0, 16)}`;
}

/** A run's rendered data without the runtime's keys: what its attempt's own ConfigMap holds. */
export function withoutRuntime(
  data: Readonly<Record<string, string>>,
  runtime: RuntimeFiles,
): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) if (!(key in runtime.data)) own[key] = value;
  return own;
}
