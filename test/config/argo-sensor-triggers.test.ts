// What the shipped Sensors' triggers do when a write fails or an event comes twice (docs/argo.md "What
// the sensors check"), without Argo Events running: each trigger is tried again, and each create names
// its Workflow from the delivery, so a second try or a redelivery starts nothing more. Numbers of
// GitHub's payloads reach a Go template as floats (2476938475 prints as 2.476938475e+09): each one a
// trigger's template prints goes through sprig's int64, checked on every recorded payload.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { argoObjects } from '../harness/deploy/argo-manifests.js';
import { resolve } from '../harness/deploy/sensor-eval.js';
import { githubPayload } from '../harness/remote/github.js';

interface Trigger {
  retryStrategy?: { steps?: number; duration?: string; factor?: number };
  template: {
    name: string;
    k8s?: {
      operation: string;
      source: { resource: KubeObject };
      parameters?: { src: { dataTemplate?: string; dataKey?: string }; dest: string }[];
    };
  };
}

const sensors = argoObjects().filter((o) => o.kind === 'Sensor');
const triggers = sensors.flatMap((s) =>
  ((s.spec as { triggers: Trigger[] }).triggers ?? []).map((trigger) => ({
    sensor: String(s.metadata?.name),
    trigger,
  })),
);

t.test('every trigger of every Sensor is tried again when it fails', async (t) => {
  t.ok(triggers.length >= 7, `${triggers.length} triggers`);
  for (const { sensor, trigger } of triggers) {
    const steps = trigger.retryStrategy?.steps ?? 1;
    t.ok(steps > 1, `${sensor}/${trigger.template.name}: ${steps} tries`);
  }
});

t.test('every create names its Workflow from the delivery, never generateName', async (t) => {
  const creates = triggers.filter(({ trigger }) => trigger.template.k8s?.operation === 'create');
  t.ok(creates.length >= 3, `${creates.length} creates`);
  for (const { sensor, trigger } of creates) {
    const k8s = trigger.template.k8s;
    const where = `${sensor}/${trigger.template.name}`;
    t.notOk(k8s?.source.resource.metadata?.generateName, `${where}: no generateName`);
    const name = k8s?.parameters?.find((p) => p.dest === 'metadata.name');
    t.ok(name?.src.dataTemplate, `${where}: metadata.name is set from the delivery`);
  }
});

t.test("every number of GitHub's payloads a template prints goes through int64", async (t) => {
  const fixtures = readdirSync(join(packageRoot(), 'test', 'fixtures', 'github'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ headers: {}, body: githubPayload(f.replace(/\.json$/, '')) }));
  const printed = /\.Input\.(body(?:\.[A-Za-z_]+)+)(\s*\|\s*int64)?/g;
  let numbers = 0;
  for (const { sensor, trigger } of triggers) {
    for (const p of trigger.template.k8s?.parameters ?? []) {
      for (const [, path, int64] of p.src.dataTemplate?.matchAll(printed) ?? []) {
        const values = fixtures.flatMap((e) => resolve(e, String(path)));
        if (!values.some((v) => typeof v === 'number')) continue;
        numbers += 1;
        t.ok(int64, `${sensor}/${trigger.template.name} → ${p.dest}: ${path} | int64`);
      }
    }
  }
  // The comment's and the failed run's ids, the run's attempt and the three pull-request numbers.
  t.ok(numbers >= 6, `${numbers} numbers printed`);
});
