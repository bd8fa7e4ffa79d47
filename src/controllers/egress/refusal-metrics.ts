// The refused requests as counters (docs/agent-pods.md "Egress"): by the run's namespace and agent
// profile when a pod of a run sent them, and those no run could be named for (an address no pod of
// ours held then, or two could have). Counted as each line is read, once per leader's reading.
import { Counter } from 'prom-client';
import { memo } from '../../runtime/index.js';
import type { RefusingRun } from './refusal-book.js';

export interface RefusalMetrics {
  refused(run: RefusingRun): void;
  unattributed(): void;
}

export const refusalMetrics = memo((registry): RefusalMetrics => {
  const registers = [registry];
  // `run_namespace`, as the usage metrics: a scrape's own `namespace` label would rename it.
  const refused = new Counter({
    name: 'orchestrator_egress_refused_requests_total',
    help: "Requests of agent pods the egress proxy refused (a host not on the profile's allowlist), by the run's namespace (run_namespace) and agent profile.",
    labelNames: ['run_namespace', 'agent'],
    registers,
  });
  const unattributed = new Counter({
    name: 'orchestrator_egress_refused_unattributed_total',
    help: 'Requests the egress proxy refused that no run could be named for: from an address no agent pod held then, or one two pods could have held.',
    registers,
  });
  return {
    refused: (run) => refused.inc({ run_namespace: run.namespace, agent: run.agent }),
    unattributed: () => unattributed.inc(),
  };
});
