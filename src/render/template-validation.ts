// Accepting a template directory: it must load (compile, lint, layout, tool presets) and then render
// for every kind × configured agent × preset × fresh/continued sample run, with valid keys and JSON
// that parses. Only then may it replace the running set; otherwise the TemplateError lists every
// problem and the caller keeps the last good set.
import { type ControllerConfig, RUN_KIND_NAMES } from '../api/index.js';
import { TemplateError } from './errors.js';
import { configMapKeyProblem } from './keys.js';
import { renderRun } from './render.js';
import { sampleConfig, sampleRun } from './samples.js';
import { loadTemplateSet, type TemplateSet } from './template-set.js';
import { PRESETS } from './tool-presets.js';

/** Problems of rendering `set` for every sample run (empty when there are none). */
export function renderProblems(set: TemplateSet, config: ControllerConfig): string[] {
  const problems = new Set<string>();
  for (const kind of RUN_KIND_NAMES) {
    for (const agent of Object.keys(config.agents)) {
      for (const preset of PRESETS) {
        for (const continuing of [false, true]) {
          const options = { agent, preset, continuing };
          const withPreset = sampleConfig(config, options);
          const { run, attempt } = sampleRun(kind, options, withPreset);
          const where = `${kind} agent=${agent} preset=${preset}${continuing ? ' continuing' : ''}`;
          try {
            const { data } = renderRun(set, kind, run, withPreset, attempt);
            for (const [key, value] of Object.entries(data)) {
              const bad = configMapKeyProblem(key);
              if (bad) problems.add(`${where}: key ${key} ${bad}`);
              if (key.endsWith('.json')) {
                try {
                  JSON.parse(value);
                } catch (err) {
                  problems.add(`${where}: ${key} is not valid JSON: ${(err as Error).message}`);
                }
              }
            }
          } catch (err) {
            const e = err as Error;
            problems.add(`${where}: ${e instanceof TemplateError ? e.problems.join('; ') : e.message}`);
          }
        }
      }
    }
  }
  return [...problems];
}

/** Loads `dir` and proves it renders; throws TemplateError naming every problem. @internal The template tests' way in; the process loads templates through the watcher. */
export function loadValidatedTemplates(dir: string | undefined, config: ControllerConfig): TemplateSet {
  return validatedTemplates(loadTemplateSet(dir), config);
}

/** `set` when every sample renders under `config`; else a TemplateError listing the problems. */
export function validatedTemplates(set: TemplateSet, config: ControllerConfig): TemplateSet {
  const problems = renderProblems(set, config);
  if (problems.length) throw new TemplateError(set.dir, problems);
  return set;
}
