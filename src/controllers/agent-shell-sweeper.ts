// Deletes the agent-shell ConfigMaps of earlier templates (docs/design.md §2.3) once nothing uses them: no
// cached Job mounts one and no attempt's ConfigMap, whose Job is yet to be made, names it. The current
// version stays in every namespace that has had a run (it is small, and the next run needs it). Woken
// by an agent-shell ConfigMap's own events and by the deletion of a Job or ConfigMap that used an earlier
// version; the current one is looked at again now and then, since a template reload makes it earlier.
// Deleted only if its data hashes to its name: a ConfigMap merely labelled like one is not ours.
// An upgrade from a version that called the agent shell the runtime leaves its ConfigMaps behind
// (`orchestrator-runtime-{hash}`, labelled orchestrator.io/runtime, which that version's Jobs and attempt
// ConfigMaps name too): they are swept alike, under the same hash check with their own prefix.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { agentShellOf, FORMER_LABELS, LABELS } from '../api/index.js';
import {
  AGENT_SHELL_CONFIGMAP_PREFIX,
  agentShellName,
  FORMER_AGENT_SHELL_CONFIGMAP_PREFIX,
  type TemplateSet,
} from '../render/index.js';
import {
  type ApiRequester,
  CONFIGMAPS,
  Controller,
  type EventMapper,
  type EventSource,
  isNotFound,
  type KubeObject,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  resourcePath,
} from '../runtime/index.js';
import { filtered, never } from './event-filters.js';
import { deleteExactly } from './reconcile/owned-objects.js';

/** How often the current version is looked at again (a template reload makes it an earlier one). */
export const CURRENT_RECHECK_MS = 10 * 60_000;

/** How an agent-shell ConfigMap is spelled: by this version, and by the one before the rename. */
const SPELLINGS = [
  { prefix: AGENT_SHELL_CONFIGMAP_PREFIX, label: LABELS.agentShell },
  { prefix: FORMER_AGENT_SHELL_CONFIGMAP_PREFIX, label: FORMER_LABELS.agentShell },
] as const;

/** The spelling of `obj` if it is an agent-shell ConfigMap: under a prefix, its label naming itself. */
const spellingOf = (obj: KubeObject) => {
  const name = obj.metadata?.name ?? '';
  return SPELLINGS.find((s) => name.startsWith(s.prefix) && obj.metadata?.labels?.[s.label] === name);
};

/** Whether `obj` is an agent-shell ConfigMap (this version's or an earlier one's): its label names itself. */
export const isAgentShellConfigMap = (obj: KubeObject): boolean => spellingOf(obj) !== undefined;

export interface AgentShellSweeperOptions {
  client: ApiRequester;
  /** The ConfigMaps (ours, metadata only) and Jobs (ours) of the runs. */
  configMaps: ReadOnlyStore;
  jobs: ReadOnlyStore;
  templates: () => TemplateSet;
}

export class AgentShellSweeper implements Reconciler {
  constructor(private readonly opts: AgentShellSweeperOptions) {}

  async reconcile(
    { namespace, name }: Request,
    { signal, logger }: ReconcileContext,
  ): Promise<Result | undefined> {
    const { configMaps, jobs, templates, client } = this.opts;
    const found = configMaps.get(namespace, name);
    const spelling = found && spellingOf(found);
    if (!spelling) return undefined;
    if (name === templates().agentShell.name) return { requeueAfter: CURRENT_RECHECK_MS };
    const uses = (obj: KubeObject) => obj !== found && agentShellOf(obj) === name;
    // A user's deletion of the last one brings this back (the watches below).
    if (jobs.list(namespace).some(uses) || configMaps.list(namespace).some(uses)) return undefined;
    // Its labels anyone may set: only one whose data hashes to its name is an agent shell, so ours to delete.
    let stored: KubeObject & { data?: Record<string, unknown>; immutable?: boolean };
    try {
      stored = await client.request('GET', resourcePath(CONFIGMAPS, namespace, name), { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (stored.immutable !== true || agentShellName(stored.data ?? {}, spelling.prefix) !== name) {
      logger.info(
        { namespace, configMap: name },
        'left alone: labelled as an agent shell, but its data is not one',
      );
      return undefined;
    }
    if (await deleteExactly(client, CONFIGMAPS, stored, signal))
      logger.info({ namespace, configMap: name }, 'agent-shell ConfigMap of earlier templates deleted');
    return undefined;
  }
}

/** An agent-shell ConfigMap wakes its own sweep; a Job or attempt's ConfigMap gone wakes its agent shell's. */
export function agentShellSweeperController(
  opts: AgentShellSweeperOptions & {
    configMapEvents: EventSource;
    jobEvents: EventSource;
    registry: Registry;
    logger: Logger;
  },
): Controller {
  const own: EventMapper = (obj) =>
    isAgentShellConfigMap(obj)
      ? [{ namespace: obj.metadata?.namespace ?? '', name: agentShellOf(obj) ?? '' }]
      : [];
  const user: EventMapper = (obj) => {
    const name = agentShellOf(obj);
    if (!name || isAgentShellConfigMap(obj) || name === opts.templates().agentShell.name) return [];
    return [{ namespace: obj.metadata?.namespace ?? '', name }];
  };
  const gone = { add: never, update: never };
  return new Controller({
    name: 'agent-shell-sweeper',
    reconciler: new AgentShellSweeper(opts),
    registry: opts.registry,
    logger: opts.logger,
  })
    .watch(opts.configMapEvents, own)
    .watch(filtered(opts.configMapEvents, gone), user)
    .watch(filtered(opts.jobEvents, gone), user);
}
