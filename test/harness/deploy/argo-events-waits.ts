// The waits of test/integration/argo-events/ over what the Sensors did: the Workflows they
// submitted, their events acknowledged on the bus (so whatever an event would do is done), and a
// Workflow's step running.
import { isNotFound, type KubeClient, type KubeObject } from '../../../src/runtime/index.js';
import { waitFor } from '../util/wait.js';
import { type NatsServer, sensorConsumers } from './argo-events.js';
import { nodesOf, type Workflow, workflowsPath } from './argo-workflows.js';

/** The waits of the suite over the Sensors `sensors` of namespace `ns`, on the bus `nats`. */
export function sensorWaits(client: KubeClient, ns: string, nats: NatsServer, sensors: KubeObject[]) {
  /** The Workflows a Sensor submitted (named or generated from `prefix`) with their first parameter (the task). */
  async function workflowsBy(prefix: string): Promise<{ name: string; task: string }[]> {
    const list = await client.request<{ items: Workflow[] }>('GET', workflowsPath(ns));
    return list.items
      .filter((w) => String(w.metadata?.name).startsWith(prefix))
      .map((w) => ({
        name: String(w.metadata?.name),
        task: String(
          (w.spec as { arguments: { parameters: { value: string }[] } }).arguments.parameters[0]?.value,
        ),
      }));
  }

  /**
   * Until the Sensor `name` submitted a Workflow for `task` (the sentinel) and acknowledged every event
   * it received; every Workflow it submitted so far.
   */
  async function afterSentinel(sensor: string, prefix: string, task: string) {
    const object = sensors.find((s) => s.metadata?.name === sensor) as KubeObject;
    const [consumer] = sensorConsumers(object);
    return waitFor(
      `Sensor ${sensor}: the sentinel's Workflow (task ${task}) and every event acknowledged`,
      async (note) => {
        const workflows = await workflowsBy(prefix);
        const state = (await nats.consumerStates()).find((c) => c.name === consumer);
        note({ workflows, state });
        const settled = state && state.numPending === 0 && state.numAckPending === 0;
        return settled && workflows.some((w) => w.task === task) ? workflows : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }

  /** Until every event Sensor `name` received is acknowledged (so whatever it would do is done). */
  async function acknowledged(name: string) {
    const consumers = sensorConsumers(sensors.find((s) => s.metadata?.name === name) as KubeObject);
    await waitFor(
      `Sensor ${name}: every event acknowledged`,
      async (note) => {
        const states = (await nats.consumerStates()).filter((c) => consumers.includes(c.name));
        note(states);
        return (
          states.length === consumers.length && states.every((c) => c.numPending + c.numAckPending === 0)
        );
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }

  /** Until the play's step `step` runs (a wait or the approval): the Workflow then (a Sensor may create it yet). */
  function untilStep(wf: string, step: string, timeoutMs = 600_000) {
    return waitFor(
      `Workflow ${wf}: step ${step} running`,
      async (note) => {
        const w = await client.request<Workflow>('GET', workflowsPath(ns, wf)).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
        if (!w) return undefined;
        note({ phase: w.status?.phase, nodes: nodesOf(w).map((n) => `${n.displayName}:${n.phase}`) });
        if (w.status?.phase === 'Failed' || w.status?.phase === 'Error') {
          // The steps that failed say why; the Workflow's own message names only the first child.
          const why = nodesOf(w)
            .filter((n) => n.phase === 'Failed' || n.phase === 'Error')
            .map((n) => `${n.displayName}: ${n.message ?? ''}`);
          throw new Error(`Workflow ${wf} ${w.status.phase}: ${w.status.message}; ${why.join('; ')}`);
        }
        return nodesOf(w).find((n) => n.displayName === step)?.phase === 'Running' ? w : undefined;
      },
      { timeoutMs, intervalMs: 1000 },
    );
  }

  return { workflowsBy, afterSentinel, acknowledged, untilStep };
}
