// `orchestrator validate`: the admission checks offline, for CI pipelines and pre-commit hooks of
// GitOps repositories. One line per run resource; a non-zero exit when any is invalid. What only the
// apiserver can answer (may the submitter use a Secret the run names?) is listed as not checked.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { admitOffline, runKindOf } from '../admission/index.js';
import type { ControllerConfig } from '../api/index.js';
import { defaultConfigFile, loadConfigFile } from '../config/index.js';
import { defaultTemplateDir, localToolNames, TOOL_PRESETS_FILE } from '../render/index.js';
import { formatFinding } from '../validation/index.js';

const MANIFEST = /\.(ya?ml|json)$/;

/** Files to read: the files given, and every manifest under the directories given. */
export function manifestFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path, { recursive: true, encoding: 'utf8' })
      .filter((f) => MANIFEST.test(f))
      .sort()
      .map((f) => join(path, f));
  });
}

export interface ValidateReport {
  lines: string[];
  invalid: number;
  valid: number;
}

export function validateFiles(
  files: string[],
  config: ControllerConfig,
  showDefaults = false,
  localTools?: readonly string[],
): ValidateReport {
  const report: ValidateReport = { lines: [], invalid: 0, valid: 0 };
  for (const file of files) {
    let docs: ReturnType<typeof parseAllDocuments>;
    try {
      docs = parseAllDocuments(readFileSync(file, 'utf8'), { prettyErrors: true });
    } catch (err) {
      report.invalid++;
      report.lines.push(`FAIL ${file}: cannot read: ${(err as Error).message}`);
      continue;
    }
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, index) => {
      const where = list.length > 1 ? `${file}#${index + 1}` : file;
      if (doc.errors.length) {
        report.invalid++;
        report.lines.push(`FAIL ${where}: invalid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
        return;
      }
      const value = doc.toJS() as unknown;
      const kind = runKindOf(value);
      if (!kind) return;
      const result = admitOffline(kind, value as Record<string, unknown>, config, localTools);
      const errors = result.findings.filter((f) => f.severity === 'error');
      const warnings = result.findings.filter((f) => f.severity === 'warning');
      const label = `${kind}/${result.name}`;
      if (errors.length) report.invalid++;
      else report.valid++;
      report.lines.push(`${errors.length ? 'FAIL' : 'ok  '} ${where}: ${label}`);
      for (const f of errors) report.lines.push(`  error: ${formatFinding(f)}`);
      for (const f of warnings) report.lines.push(`  warning: ${formatFinding(f)}`);
      for (const line of result.unchecked) report.lines.push(`  note: ${line}`);
      if (showDefaults && result.patch.length) {
        report.lines.push(`  defaults: ${JSON.stringify(result.patch)}`);
      }
    });
  }
  return report;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'check run manifests offline with the same validation and defaulting as the admission webhooks',
    )
    .argument('<paths...>', 'files or directories (searched recursively for .yaml, .yml, .json)')
    .option('--config <file>', 'controller config to check against', defaultConfigFile())
    .option('--show-defaults', 'print the JSON Patch the defaulting webhook would apply')
    .option(
      '--templates-dir <dir>',
      'templates whose tool-presets.yaml names the known localTools',
      defaultTemplateDir(),
    )
    .action((paths: string[], opts: { config: string; showDefaults?: boolean; templatesDir: string }) => {
      const config = loadConfigFile(opts.config);
      const tools = localToolNames(readFileSync(join(opts.templatesDir, TOOL_PRESETS_FILE), 'utf8'));
      const report = validateFiles(manifestFiles(paths), config, opts.showDefaults, tools);
      for (const line of report.lines) console.log(line);
      console.log(`${report.valid} valid, ${report.invalid} invalid`);
      if (report.invalid > 0) process.exitCode = 1;
    });
}
