// `orchestrator config convert [FILE|-]`: a seed's Helm values (seed 002's agents:) or controller
// config.yaml (seed 001) printed as this project's controller config, over the shipped config or
// --base; on standard error a line per seed key: what it became, or why it was dropped
// (src/config/seed-convert.ts). Nothing is printed on standard output unless the manager would load it.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parse } from 'yaml';
import {
  convertSeed,
  defaultConfigFile,
  detectSeed,
  formatReportLine,
  readSeed,
  SEED_SOURCES,
  type SeedSource,
} from '../config/index.js';
import { CliExit, type CliIO } from './io.js';

interface ConvertFlags {
  from?: SeedSource;
  base: string;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliExit(1, `orchestrator config convert: cannot read ${path}: ${(err as Error).message}`);
  }
}

export function registerConfigCommands(program: Command, io: CliIO): void {
  const config = program.command('config').description('the controller config (docs/configuration.md)');
  config
    .command('convert')
    .description(
      "print a seed's Helm values or controller config.yaml as this project's controller config; on stderr what each key became or why it was dropped",
    )
    .argument('[file]', 'the seed file, - or none for standard input')
    .addOption(
      new Option('--from <kind>', 'what the file is (default: told by its keys)').choices([...SEED_SOURCES]),
    )
    .option('--base <file>', 'the config the seed is applied over', defaultConfigFile())
    .action(async (file: string | undefined, flags: ConvertFlags) => {
      const source = file && file !== '-' ? file : 'standard input';
      const text = file && file !== '-' ? readText(file) : await io.readStdin();
      const seed = readSeed(text, source);
      const from = flags.from ?? detectSeed(seed);
      if (!from)
        throw new CliExit(
          1,
          `orchestrator config convert: ${source} has no key of the seeds' files (agents.*.appId, job.backoffLimit, agent:, telemetry:, …): give --from ${SEED_SOURCES.join('|')}`,
        );
      const base = parse(readText(flags.base), { maxAliasCount: 100 }) as Record<string, unknown>;
      const conversion = convertSeed(seed, from, base, source);
      io.out(
        `# this project's controller config (docs/configuration.md), converted from ${source} (${from}) over ${flags.base}\n${conversion.yaml}`,
      );
      const count = (kind: string) => conversion.report.filter((l) => l.outcome.kind === kind).length;
      io.err(
        [
          `converted ${source} as ${from}:`,
          ...conversion.report.map((l) => `  ${formatReportLine(l)}`),
          `${count('mapped')} mapped, ${count('elsewhere')} outside the config, ${count('dropped')} dropped; the config passes the manager's validation`,
          '',
        ].join('\n'),
      );
    });
}
