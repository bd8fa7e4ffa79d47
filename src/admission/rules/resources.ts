// What a run's pod may use is bounded (docs/security.md "Images, placement and size"): each quantity of
// spec.resources (requests and limits) at most the larger of the agent's own for the run's priority and
// the config's maximum for that resource (agents.<name>.maxResources, else job.maxResources). So by
// default a run may lower its agent's resources, not raise them, nor ask for one (a GPU) the agent has
// not. Quantities compare exactly (500m equals 0.5). On UPDATE a value the stored run had is not judged
// again (the config may have lowered a maximum since).
import { type RunKindName, runAgent, runPriority, runProfile } from '../../api/index.js';
import { compareQuantities, isPlainObject, parseQuantity, type Quantity } from '../../util/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { field, type Rule } from './context.js';

const RULE = 'resource-bounds';
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});

interface Bound {
  value: Quantity;
  text: string;
  /** Where the bound comes from, as the config names it. */
  source: string;
}

/** The larger of two bounds (either may be missing). */
function larger(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (!a || !b) return a ?? b;
  return compareQuantities(a.value, b.value) >= 0 ? a : b;
}

function bound(text: unknown, source: string): Bound | undefined {
  const value = typeof text === 'string' ? parseQuantity(text) : undefined;
  return value ? { value, text: text as string, source } : undefined;
}

/** The bound of each resource a run of this agent and priority may ask for. */
function boundOf(kind: RunKindName, spec: Obj, config: Parameters<Rule<unknown>>[0]['config']) {
  const agent = runAgent(kind, spec, config) ?? '';
  const profile = runProfile(kind, spec, config, agent);
  const priority = runPriority(kind, spec) ?? 'standard';
  const own = obj(obj(profile?.resources)[priority]);
  const ownKey = `agents.${agent}.resources.${priority}`;
  const profileMax = obj(profile?.maxResources);
  const jobMax = obj(config.job.maxResources);
  return {
    raisedBy: `agents.${agent}.maxResources or job.maxResources`,
    of(name: string): Bound | undefined {
      const configured =
        name in profileMax
          ? bound(profileMax[name], `agents.${agent}.maxResources`)
          : bound(jobMax[name], 'job.maxResources');
      const agentOwn = larger(
        bound(obj(own.requests)[name], `${ownKey}.requests`),
        bound(obj(own.limits)[name], `${ownKey}.limits`),
      );
      return larger(agentOwn, configured);
    },
  };
}

export const boundedResources =
  (kind: RunKindName): Rule<unknown> =>
  ({ object, oldObject, operation, config }) => {
    const spec = obj(field(object, 'spec'));
    const resources = obj(spec.resources);
    const old = operation === 'UPDATE' ? obj(field(oldObject, 'spec.resources')) : {};
    const bounds = boundOf(kind, spec, config);
    const findings: Finding[] = [];
    for (const part of ['requests', 'limits'] as const) {
      for (const [name, text] of Object.entries(obj(resources[part]))) {
        const asked = typeof text === 'string' ? parseQuantity(text) : undefined;
        // The schema refuses what is not a quantity; a value the stored run had stays.
        if (!asked || obj(old[part])[name] === text) continue;
        const path = `spec.resources.${part}[${showValue(name)}]`;
        const max = bounds.of(name);
        if (!max)
          findings.push(
            error(
              RULE,
              path,
              `Forbidden: the agent has no ${showValue(name)} and no maximum allows runs to ask for it (${bounds.raisedBy} would allow it)`,
            ),
          );
        else if (compareQuantities(asked, max.value) > 0)
          findings.push(
            error(
              RULE,
              path,
              `Forbidden: ${showValue(text)} exceeds the maximum ${showValue(max.text)} (${max.source}); ${bounds.raisedBy} would allow more`,
            ),
          );
      }
    }
    return findings;
  };
