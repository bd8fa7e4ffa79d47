// The agent shell's ConfigMaps (docs/design.md §2.3): one per namespace and version of templates/agent-shell/,
// shared by the namespace's runs and owned by none of them. Because it is shared, anyone who can make
// ConfigMaps in the namespace could make one under its name first: it is used only once its data has
// been read and found equal to ours (an immutable ConfigMap's data never changes, so a checked uid
// stays good). Which ones are known good is kept here, across the kinds' controllers.
import { LABELS } from '../../api/index.js';
import type { AgentShellFiles } from '../../render/index.js';
import {
  type ApiRequester,
  CONFIGMAPS,
  isConflict,
  type KubeObject,
  resourcePath,
} from '../../runtime/index.js';
import { agentShellConfigMap } from '../agent/index.js';

/** How long a ConfigMap made (or checked) here counts as there while the cache does not show it yet. */
export const UNCACHED_GRACE_MS = 60_000;
/** The versions remembered, for the attempts whose files were rendered before a template reload. */
const VERSIONS_KEPT = 8;

/** What a ConfigMap must be to serve as the agent shell `files`: why it is not, or undefined. */
export function agentShellMismatch(
  obj: KubeObject & { data?: unknown },
  files: AgentShellFiles,
): string | undefined {
  if (obj.metadata?.labels?.[LABELS.agentShell] !== files.name)
    return `it has no label ${LABELS.agentShell}=${files.name}`;
  if ((obj as { immutable?: boolean }).immutable !== true) return 'it is not immutable';
  const data = (obj.data ?? {}) as Record<string, unknown>;
  const keys = Object.keys(files.data);
  const same =
    Object.keys(data).length === keys.length &&
    keys.every((k) => data[k] === files.data[k]) &&
    !('binaryData' in obj);
  return same ? undefined : 'its data is not the agent shell of these templates';
}

/** An agent-shell ConfigMap made or found: `conflict` says why it cannot be used. */
export interface Ensured {
  created: boolean;
  conflict?: string;
}

/** The agent-shell ConfigMap an attempt uses, and its files when it is yet to be made or checked. */
export interface AgentShellUse {
  name: string;
  ensure?: AgentShellFiles;
}

/** Why an attempt whose files use an agent shell version this process cannot check does not go on. */
export const uncheckableAgentShell = (configMap: string, agentShell: string): string =>
  `ConfigMap ${configMap} was rendered for the agent shell ${agentShell}, which this operator has not loaded and cannot check; delete ConfigMap ${configMap} and the attempt is rendered again`;

export class AgentShellConfigMaps {
  private readonly versions = new Map<string, AgentShellFiles>();
  /** The uids of ConfigMaps whose data was read and found to be ours. */
  private readonly checked = new Set<string>();
  /** `namespace/name` → when it was made or checked here, until the cache shows it. */
  private readonly uncached = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<Ensured>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The agent shell of the current templates (remembered, with a few before it). */
  current(files: AgentShellFiles): AgentShellFiles {
    if (!this.versions.has(files.name)) {
      this.versions.set(files.name, files);
      const oldest = this.versions.keys().next().value;
      if (this.versions.size > VERSIONS_KEPT && oldest !== undefined) this.versions.delete(oldest);
    }
    return files;
  }

  /**
   * What an attempt whose files use the agent shell `name` needs before its Job: nothing but the name when
   * that ConfigMap is known to be ours, else its files, to make or check it (`cached`: the cache's
   * copy). Undefined: a version this process never loaded, so its files cannot be checked.
   */
  use(namespace: string, name: string, cached: KubeObject | undefined): AgentShellUse | undefined {
    if (this.known(namespace, name, cached)) return { name };
    const files = this.versions.get(name);
    return files ? { name, ensure: files } : undefined;
  }

  /** Whether `namespace`'s ConfigMap `name` is known to be ours; `cached`: the cache's copy of it. */
  private known(namespace: string, name: string, cached: KubeObject | undefined): boolean {
    const key = `${namespace}/${name}`;
    if (cached) {
      this.uncached.delete(key);
      return this.checked.has(cached.metadata?.uid ?? '');
    }
    const at = this.uncached.get(key);
    if (at !== undefined && this.now() - at < UNCACHED_GRACE_MS) return true;
    this.uncached.delete(key);
    return false;
  }

  /**
   * Makes `namespace`'s agent-shell ConfigMap of `files`, or checks the one of its name. Concurrent calls
   * for one ConfigMap share one (only the first is told it created it).
   */
  async ensure(
    client: ApiRequester,
    namespace: string,
    files: AgentShellFiles,
    signal: AbortSignal,
  ): Promise<Ensured> {
    const key = `${namespace}/${files.name}`;
    const running = this.inflight.get(key);
    if (running) return { ...(await running), created: false };
    const made = this.make(client, namespace, files, signal).finally(() => this.inflight.delete(key));
    this.inflight.set(key, made);
    return made;
  }

  private async make(
    client: ApiRequester,
    namespace: string,
    files: AgentShellFiles,
    signal: AbortSignal,
  ): Promise<Ensured> {
    let obj: KubeObject & { data?: unknown };
    let created = true;
    try {
      obj = await client.request('POST', resourcePath(CONFIGMAPS, namespace), {
        body: agentShellConfigMap(namespace, files),
        signal,
      });
    } catch (err) {
      if (!isConflict(err)) throw err;
      created = false;
      obj = await client.request('GET', resourcePath(CONFIGMAPS, namespace, files.name), { signal });
    }
    const mismatch = agentShellMismatch(obj, files);
    if (mismatch)
      return {
        created,
        conflict: `ConfigMap ${files.name} already exists and is not the operator's agent shell (${mismatch}); delete it and the run will proceed`,
      };
    this.checked.add(obj.metadata?.uid ?? '');
    this.uncached.set(`${namespace}/${files.name}`, this.now());
    return { created };
  }
}
