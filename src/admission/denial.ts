// How a denied run is reported, by the webhooks and the REST API alike.
import { GROUP, type RunKindName } from '../api/index.js';
import { type Finding, reportFindings, truncate } from '../validation/index.js';

/**
 * `TaskRun.orchestrator.io "demo" is invalid: [a, b]`: the apiserver's own shape, familiar from kubectl
 * (`is forbidden` for what the submitter may not use). Bounded: at most REPORTED_FINDINGS findings
 * (then `… and N more`), each and the name cut short.
 */
export function denialMessage(
  kind: RunKindName,
  name: string | undefined,
  errors: Finding[],
  verdict: 'invalid' | 'forbidden' = 'invalid',
): string {
  const list = reportFindings(errors);
  const body = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return `${kind}.${GROUP} "${truncate(name ?? '', 253)}" is ${verdict}: ${body}`;
}
