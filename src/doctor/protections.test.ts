// The protections check (protections.ts): each protection off a warning, never an error, in the
// config's words (src/config/protections-off.ts) with how to turn it on; on, an ok line; a starting
// manager asks nothing (it logs the same warnings itself).
import t from 'tap';
import type { ControllerConfig } from '../api/index.js';
import { loadDefaultConfig, protectionsOff } from '../config/index.js';
import type { DoctorContext } from './check.js';
import { protectionsCheck } from './protections.js';
import { exitCode, formatFindings } from './run.js';

function context(gateway: boolean, egress: boolean, atStart = false, keptBytes?: number): DoctorContext {
  const config: ControllerConfig = structuredClone(loadDefaultConfig());
  config.gateway = { ...config.gateway, enabled: gateway };
  config.egress = { ...config.egress, enabled: egress };
  if (keptBytes !== undefined) config.logs = { keptBytes };
  return { config, atStart } as DoctorContext;
}

t.test('all off: a warning each with what it exposes and its fix; exit 0', async (t) => {
  const ctx = context(false, false, false, 0);
  const findings = await protectionsCheck.run(ctx);
  const [gateway, egress, logs] = protectionsOff(ctx.config);
  t.same(findings, [
    { check: 'protections', severity: 'warning', message: gateway?.exposes, fix: gateway?.turnOn },
    { check: 'protections', severity: 'warning', message: egress?.exposes, fix: egress?.turnOn },
    { check: 'protections', severity: 'warning', message: logs?.exposes, fix: logs?.turnOn },
  ]);
  t.equal(exitCode(findings), 0, 'a warning, not a failure');
  const text = formatFindings(findings);
  t.match(
    text,
    /^\[WARN\] protections: the model gateway is off \(gateway\.enabled: false\): every agent container gets the platform's model key/,
  );
  t.match(
    text,
    /\[WARN\] protections: egress by allowlist is off \(egress\.enabled: false\): agents reach any public address/,
  );
  t.match(text, /fix: set egress\.enabled: true in the controller config/);
  t.match(text, /\[WARN\] protections: no attempt's log is kept \(logs\.keptBytes: 0\)/);
});

t.test('all on (the shipped logs.keptBytes): ok lines', async (t) => {
  const findings = await protectionsCheck.run(context(true, true));
  t.same(
    findings.map((f) => [f.severity, f.message]),
    [
      [
        'ok',
        'the model gateway is on: agents hold a token of their attempt, never the model key, and its ledger is the bill',
      ],
      ['ok', "egress by allowlist is on: agents reach only their profile's allowlist"],
      ['ok', "each attempt's prepare and agent logs are kept after its pod, as long as the run"],
    ],
  );
});

t.test("one off: its warning beside the other one's ok", async (t) => {
  const findings = await protectionsCheck.run(context(true, false));
  t.same(
    findings.map((f) => f.severity),
    ['ok', 'warning', 'ok'],
  );
});

t.test("at a manager's start: nothing (the manager logs it itself)", async (t) => {
  t.same(await protectionsCheck.run(context(false, false, true)), []);
});
