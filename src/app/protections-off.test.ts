// The protections the config has off, warned of in the manager's log (protections-off.ts): at start
// every one, each with what it exposes and its fix; on a hot reload, the one it turned off, wired as
// `orchestrator run` wires its config file (watchInputs).
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { waitFor } from '../../test/harness/util/wait.js';
import type { ControllerConfig } from '../api/index.js';
import { defaultConfigFile, loadDefaultConfig, protectionsOff } from '../config/index.js';
import { warnProtectionsOff } from './protections-off.js';
import { watchInputs } from './watched-inputs.js';

interface LogLine {
  level: number;
  msg: string;
  field?: string;
  when?: string;
  fix?: string;
}
const WARN = 40;

function capture() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines, warnings: () => lines.filter((l) => l.level === WARN && l.field) };
}

function withProtections(gateway: boolean, egress: boolean): ControllerConfig {
  const config = structuredClone(loadDefaultConfig());
  config.gateway = { ...config.gateway, enabled: gateway };
  config.egress = { ...config.egress, enabled: egress };
  return config;
}

t.test("at start: a warning per protection off, its words and fix the config module's", async (t) => {
  const config = withProtections(false, false);
  const { logger, warnings } = capture();
  warnProtectionsOff(logger, config);
  t.same(
    warnings().map(({ field, when, fix, msg }) => ({ field, when, fix, msg })),
    protectionsOff(config).map((p) => ({ field: p.field, when: 'start', fix: p.turnOn, msg: p.exposes })),
  );
  t.equal(warnings().length, 2);
  const quiet = capture();
  warnProtectionsOff(quiet.logger, withProtections(true, true));
  t.same(quiet.lines, [], 'both on: nothing said');
});

t.test('a reload that turns egress off is warned of, once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'protections-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'controller-config.yaml');
  type Doc = Record<'gateway' | 'egress', Record<string, unknown>>;
  const write = (change: (doc: Doc) => void) => {
    const doc: Doc = parse(readFileSync(defaultConfigFile(), 'utf8'));
    doc.gateway.enabled = false;
    doc.egress.enabled = true;
    change(doc);
    writeFileSync(`${configFile}.tmp`, stringify(doc));
    renameSync(`${configFile}.tmp`, configFile);
  };
  write(() => {});
  const { logger, lines, warnings } = capture();
  const inputs = watchInputs({ configFile, registry: new Registry(), logger, pollMs: 100 });
  t.teardown(() => inputs.close());
  t.same(warnings(), [], 'watching warns of nothing itself: run.ts warns at start');
  write((doc) => {
    doc.egress.enabled = false;
  });
  await waitFor('the reload', async () => lines.some((l) => l.msg === 'controller config reloaded'));
  t.same(
    warnings().map(({ field, when }) => ({ field, when })),
    [{ field: 'egress.enabled', when: 'reload' }],
    'the egress, not the gateway that was off already',
  );
  t.equal(inputs.config.current().egress?.enabled, false);
});
