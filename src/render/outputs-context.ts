// The agent profile's outputs policy (what the agent may cause on GitHub: docs/security.md, "Safe
// outputs") as the templates see it: JSON for the publisher (agent-shell/outputs.mjs) and the agent's
// command, and each kind or null for the agent's prompt (partials/outputs.md.hbs), whose strict
// rendering needs every field present.
import type { ControllerConfig } from '../api/index.js';

type Policy = NonNullable<ControllerConfig['agents'][string]['outputs']>;

export interface OutputsContext {
  policy: string;
  comment: Policy['comment'] | null;
  review: Policy['review'] | null;
  labels: Policy['labels'] | null;
  checkRun: Policy['checkRun'] | null;
  /** Whether the profile allows any kind (else the agent can cause nothing on GitHub). */
  any: boolean;
  maxBodyBytes: number | null;
  allowMentions: boolean;
  linkHosts: string[];
}

export function outputsContext(policy: Policy | undefined): OutputsContext {
  const kinds = {
    comment: policy?.comment ?? null,
    review: policy?.review ?? null,
    labels: policy?.labels ?? null,
    checkRun: policy?.checkRun ?? null,
  };
  return {
    policy: JSON.stringify(policy ?? {}),
    ...kinds,
    any: Object.values(kinds).some((k) => k !== null),
    maxBodyBytes: policy?.maxBodyBytes ?? null,
    allowMentions: policy?.allowMentions ?? false,
    linkHosts: policy?.linkHosts ?? [],
  };
}
