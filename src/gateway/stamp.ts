// The attempt's token put into its Job just before the Job is made (docs/security.md "The model
// gateway"): the Job builder leaves the agent container's token variable empty (it is pure, and a token
// is random), and the actor stamps a fresh one, signed for this attempt, this Job and its run's spend
// limit. Only the agent container has the variable, so only it gets the token.
import { isGatewayTokenEnv, parseUsd } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import { mintAttemptToken } from './attempt-token.js';

type Container = { env?: { name: string; value?: string }[] };

export interface StampInput {
  job: KubeObject;
  kind: string;
  run: { metadata?: { name?: string; namespace?: string; uid?: string }; spec?: unknown };
  attempt: number;
}

/** Stamps tokens with the gateway's signing key; undefined when the key is not loaded (the Job waits). */
export type TokenStamper = (input: StampInput) => KubeObject | undefined;

export function tokenStamper(key: () => Buffer | undefined): TokenStamper {
  return ({ job, kind, run, attempt }) => {
    const signing = key();
    if (!signing) return undefined;
    const limit = (run.spec as { limits?: { maxBudgetUsd?: string } } | undefined)?.limits?.maxBudgetUsd;
    const token = mintAttemptToken(signing, {
      namespace: run.metadata?.namespace ?? '',
      kind,
      run: run.metadata?.name ?? '',
      uid: run.metadata?.uid ?? '',
      attempt,
      job: job.metadata?.name ?? '',
      maxBudgetMicros: parseUsd(limit),
    });
    const stamped = structuredClone(job);
    const spec = stamped.spec as {
      template?: { spec?: { initContainers?: Container[]; containers?: Container[] } };
    };
    // The agent's container is an init container (between prepare and the publisher).
    const pod = spec.template?.spec;
    for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])])
      for (const variable of container.env ?? [])
        if (isGatewayTokenEnv(variable.name)) variable.value = token;
    return stamped;
  };
}
