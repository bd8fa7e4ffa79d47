// `orchestrator render -f run.yaml`: renders a run's templates locally, for debugging templates. Offline:
// the same defaults as admission are applied first (admitOffline), then the kind's templates are rendered
// and the files laid out as the agent's init step lays out the ConfigMap (keys.ts configMapKeyToPath).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { admitOffline } from '../admission/index.js';
import { type ControllerConfig, type Run, type RunKindName, specAttempt } from '../api/index.js';
import { defaultConfigFile, loadConfigFile } from '../config/index.js';
import { loadTemplateSet, RenderError, renderRun, TemplateError, type TemplateSet } from '../render/index.js';
import { formatFinding } from '../validation/index.js';
import { readRunFiles } from './create.js';
import { CliExit, type CliIO, collect, fail } from './io.js';
import { positiveInt } from './task-flags.js';

export interface RenderedFile {
  path: string;
  bytes: number;
  mode: string;
}

/** Renders one (admitted) run into `outDir`; returns the files written, in the ConfigMap's order. */
export function writeRendered(
  templates: TemplateSet,
  kind: RunKindName,
  run: Run,
  config: ControllerConfig,
  attempt: number,
  outDir: string,
): RenderedFile[] {
  const rendered = renderRun(templates, kind, run, config, attempt);
  return rendered.files.map(({ key, path, mode }) => {
    const target = resolve(outDir, path);
    // Paths come from keys.ts and never escape, but a file outside --out would be a nasty surprise.
    if (relative(resolve(outDir), target).startsWith('..'))
      throw new RenderError(`${path} escapes ${outDir}`);
    mkdirSync(dirname(target), { recursive: true });
    const content = rendered.data[key] ?? '';
    writeFileSync(target, content);
    chmodSync(target, Number.parseInt(mode, 8));
    return { path, bytes: Buffer.byteLength(content), mode };
  });
}

interface RenderFlags {
  filename: string[];
  attempt?: string;
  out?: string;
  config: string;
  templates?: string;
}

function loadTemplates(dir: string | undefined): TemplateSet {
  try {
    return loadTemplateSet(dir);
  } catch (err) {
    if (err instanceof TemplateError) throw fail(err.message);
    throw err;
  }
}

export function registerRenderCommand(program: Command, io: CliIO): void {
  program
    .command('render')
    .description("render a run's templates locally into a directory, laid out as in the agent's pod")
    .requiredOption('-f, --filename <file>', 'run manifest (YAML or JSON; - reads standard input)', collect)
    .option(
      '--attempt <n>',
      'attempt to render (default: the spec attempt: retryAttempt / contextVersion / 1)',
    )
    .option('--out <dir>', 'output directory (default: ./rendered-<name>; with several runs, <dir>/<name>)')
    .option('--config <file>', 'controller config', defaultConfigFile())
    .option('--templates <dir>', 'template directory (default: the packaged templates/)')
    .action(async (flags: RenderFlags) => {
      const config = loadConfigFile(flags.config);
      const templates = loadTemplates(flags.templates);
      const docs = await readRunFiles(flags.filename, io);
      if (docs.length === 0) throw fail(`no runs in ${flags.filename.join(', ')}`);
      let failed = 0;
      for (const doc of docs) {
        const admitted = admitOffline(doc.kind, doc.object as Record<string, unknown>, config);
        const run = admitted.admitted as Run;
        const meta = run.metadata ?? {};
        const name = meta.name ?? `${meta.generateName ?? `${doc.kind.toLowerCase()}-`}rendered`;
        run.metadata = { ...meta, name, namespace: meta.namespace ?? 'default' };
        const label = `${doc.kind}/${name}`;
        const errors = admitted.findings.filter((f) => f.severity === 'error');
        if (errors.length) {
          failed++;
          io.err(
            `${label}: admission would deny it:\n${errors.map((f) => `  ${formatFinding(f)}\n`).join('')}`,
          );
          continue;
        }
        const attempt = flags.attempt
          ? positiveInt(flags.attempt, '--attempt')
          : specAttempt(doc.kind, run.spec);
        const base = flags.out ?? `rendered-${name}`;
        const outDir = flags.out && docs.length > 1 ? join(base, name) : base;
        try {
          const files = writeRendered(templates, doc.kind, run, config, attempt, outDir);
          io.out(`${label} attempt ${attempt} -> ${outDir}/\n`);
          const width = Math.max(...files.map((f) => f.path.length));
          for (const f of files)
            io.out(`  ${f.path.padEnd(width)}  ${String(f.bytes).padStart(7)} B  ${f.mode}\n`);
        } catch (err) {
          if (!(err instanceof RenderError || err instanceof TemplateError)) throw err;
          failed++;
          io.err(`${label}: cannot render: ${err.message}\n`);
        }
      }
      if (failed) throw new CliExit(1);
    });
}
