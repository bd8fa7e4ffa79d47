// What an attempt's agent may spend is bounded (docs/economics.md): spec.limits.maxTurns and
// maxBudgetUsd at most the agent profile's maximum, else its default (a run may lower what its profile
// gives, not raise it). A profile with neither leaves the limit to the run. On UPDATE a value the
// stored run had is not judged again (the config may have lowered a maximum since). A limit the
// profile's agent CLI cannot stop at, and the gateway does not hold (CLI_ONLY_LIMITS of src/api/limits.ts:
// maxTurns for codex; fallbackModel for codex and gemini: src/agent-cli), is refused rather than ignored.
import { agentCli } from '../../agent-cli/index.js';
import {
  CLI_ONLY_LIMITS,
  limitValue,
  RUN_LIMIT_NAMES,
  type RunKindName,
  runAgent,
  runLimitBound,
  runLimitField,
  runProfile,
} from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { field, type Rule } from './context.js';

const RULE = 'limit-bounds';

export const boundedRunLimits =
  (kind: RunKindName): Rule<unknown> =>
  ({ object, oldObject, operation, config }) => {
    const spec = field(object, 'spec');
    const limits = field(object, 'spec.limits');
    if (!isPlainObject(spec) || !isPlainObject(limits)) return [];
    const old = operation === 'UPDATE' ? field(oldObject, 'spec.limits') : undefined;
    const agent = runAgent(kind, spec, config) ?? '';
    const profile = runProfile(kind, spec, config, agent);
    const findings: Finding[] = [];
    const cli = agentCli(profile?.cli);
    for (const limit of [...CLI_ONLY_LIMITS, 'fallbackModel'] as const)
      if (
        limits[limit] !== undefined &&
        !cli.limits[limit] &&
        !(isPlainObject(old) && old[limit] === limits[limit])
      )
        findings.push(
          error(
            RULE,
            runLimitField(limit),
            `Forbidden: the ${cli.name} CLI of agent ${agent} cannot enforce ${limit} (docs/agents.md); leave it unset`,
          ),
        );
    for (const limit of RUN_LIMIT_NAMES) {
      const asked = limitValue(limit, limits[limit]);
      // The schema refuses what is not a number or a dollar amount; a value the stored run had stays.
      if (asked === undefined || (isPlainObject(old) && old[limit] === limits[limit])) continue;
      const bound = runLimitBound(agent, profile, limit);
      if (bound && asked > bound.value)
        findings.push(
          error(
            RULE,
            runLimitField(limit),
            `Forbidden: ${showValue(limits[limit])} exceeds ${showValue(bound.text)} (${bound.source}); agents.${agent}.limits.${limit}.max would allow more`,
          ),
        );
    }
    return findings;
  };
