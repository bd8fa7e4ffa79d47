// `task … --dry-run` (client): the runs are printed only when the admission checks, run offline as
// `validate` runs them (src/admission/offline.ts) against the shipped controller config and templates,
// let them in; otherwise each refusal as the webhook words it. What only the cluster knows (its own
// config, the submitter's rights on what the run names) is for --dry-run=server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { admitOffline } from '../admission/index.js';
import type { ControllerConfig } from '../api/index.js';
import { loadDefaultConfig } from '../config/index.js';
import { defaultTemplateDir, localToolNames, TOOL_PRESETS_FILE } from '../render/index.js';
import { type Finding, formatFinding } from '../validation/index.js';
import type { RunDocument } from './create.js';

/** The refusal of a run with neither App nor user: said already, as a note, for a run left without its App. */
const isMissingApp = (f: Finding) => f.rule === 'github-identity' && f.path === 'spec.githubApp';

/** A line per error admission would give one of `docs`, naming the run and the field. */
export function dryRunRefusals(
  docs: RunDocument[],
  config: ControllerConfig = loadDefaultConfig(),
): string[] {
  const tools = localToolNames(readFileSync(join(defaultTemplateDir(), TOOL_PRESETS_FILE), 'utf8'));
  return docs.flatMap((doc) => {
    const result = admitOffline(doc.kind, doc.object as Record<string, unknown>, config, tools);
    const { name, generateName } = doc.object.metadata ?? {};
    const run = name ?? (generateName ? `${generateName}…` : result.name);
    return result.findings
      .filter((f) => f.severity === 'error' && !(doc.appLeftOut && isMissingApp(f)))
      .map((f) => `${doc.kind}/${run} (${doc.source}): ${formatFinding(f)}`);
  });
}
