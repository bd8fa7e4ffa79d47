// The scale benchmark's agent player, the same for the operator and the baseline: the agents of runs
// that fail once are held running (scale-runs.ts); the first pod of such a run is told to exit 1 now,
// every later one to exit 0 now (the annotations of cluster/stages/pod.yaml, as finishJob does). The
// real Job controller then fails or completes the Job. Every other agent ends by itself.
import { LABELS, MANAGED_BY } from '../../src/api/index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { PODS } from '../../src/runtime/index.js';
import { SIM } from '../harness/operator/operator.js';
import { type NamespaceWatch, watchNamespace } from './namespace-watch.js';

export interface AgentPlayer {
  /** Pods told to fail and to succeed so far. */
  played(): { failed: number; succeeded: number };
  /** Stops watching; rejects with the first patch that failed. */
  stop(): Promise<void>;
}

const held = (pod: KubeObject) => pod.metadata?.annotations?.[SIM.delay] === '24h';
const running = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase === 'Running';

export async function playAgents(client: KubeClient, namespace: string): Promise<AgentPlayer> {
  const handled = new Set<string>();
  const failedOnce = new Set<string>();
  const pending: Promise<unknown>[] = [];
  let failed = 0;
  let succeeded = 0;
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const play = (pod: KubeObject) => {
    const uid = pod.metadata?.uid ?? '';
    if (!held(pod) || !running(pod) || handled.has(uid)) return;
    handled.add(uid);
    const run = pod.metadata?.labels?.[LABELS.run] ?? '';
    const fail = !failedOnce.has(run);
    failedOnce.add(run);
    if (fail) failed++;
    else succeeded++;
    pending.push(
      client.request('PATCH', `${path}/${pod.metadata?.name}`, {
        body: { metadata: { annotations: { [SIM.exitCode]: fail ? '1' : '0', [SIM.delay]: '0s' } } },
        contentType: 'application/merge-patch+json',
      }),
    );
  };
  const watch: NamespaceWatch = await watchNamespace(
    client,
    PODS,
    namespace,
    play,
    `${LABELS.managedBy}=${MANAGED_BY}`,
  );
  return {
    played: () => ({ failed, succeeded }),
    stop: async () => {
      await watch.stop();
      await Promise.all(pending);
    },
  };
}
