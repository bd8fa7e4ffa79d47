// Hot reload reaches new runs (issue #6 item 8), wired as `orchestrator run` wires it (watchInputs):
// the controllers read a watched config file and a watched template directory; a valid change applies
// to the next run while what exists stays as it was; an invalid change is refused with a log line and
// a metric, and the next run still gets the last good input. No webhooks here: the reconciler applies
// the same defaults from the config in force, so a value that only the new file holds proves the reload.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import type { TaskRun } from '../../src/api/index.js';
import { type WatchedInputs, watchInputs } from '../../src/app/watched-inputs.js';
import { defaultConfigFile } from '../../src/config/load.js';
import { defaultTemplateDir } from '../../src/render/index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import {
  attemptNames,
  configMapPath,
  jobPath,
  sampleTaskRun,
  taskRunPath,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { sampleSum } from '../harness/util/prometheus-text.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

const GUIDELINES = 'shared/coding-guidelines.md.hbs';

interface LogLine {
  level: number;
  msg: string;
  err?: string;
}

/** Writes like a ConfigMap volume does: the new file swapped in atomically. */
function replace(path: string, change: (text: string) => string): void {
  writeFileSync(`${path}.tmp`, change(readFileSync(path, 'utf8')));
  renameSync(`${path}.tmp`, path);
}

/** The operator on temp copies of the config and templates, watched as the process watches them. */
async function reloadingOperator(t: { teardown(fn: () => unknown): void; name: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'hot-reload-'));
  const configFile = join(dir, 'controller-config.yaml');
  const templateDir = join(dir, 'templates');
  cpSync(defaultConfigFile(), configFile);
  cpSync(defaultTemplateDir(), templateDir, { recursive: true });
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const registry = new Registry();
  const inputs: WatchedInputs = watchInputs({ configFile, templateDir, registry, logger, pollMs: 500 });
  t.teardown(() => {
    inputs.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { namespace, client } = await suite.start(t, undefined, {
    registry,
    inputs: { config: () => inputs.config.current(), templates: () => inputs.templates.current() },
  });
  const metric = async (name: string, source: string) =>
    sampleSum(await registry.metrics(), `orchestrator_config_${name}`, { source });
  return { client, namespace, configFile, templateDir, logs, metric };
}

/** Creates TaskRun pay-{taskId} and returns its Job and ConfigMap once it runs. */
async function runTask(client: KubeClient, namespace: string, taskId: number) {
  const name = `pay-${taskId}`;
  // Its own workspace, so that it does not wait for the runs before it (one run per workspace).
  const body = sampleTaskRun(name, taskId, { workspace: { pvcName: `workspace-${name}` } });
  await client.request('POST', taskRunPath(namespace), { body });
  await waitFor(
    `${name} running`,
    async () =>
      (await client.request<TaskRun>('GET', taskRunPath(namespace, name))).status?.phase === 'Running',
  );
  const stored = await client.request<TaskRun>('GET', taskRunPath(namespace, name));
  const names = await attemptNames(client, namespace, 'TaskRun', name);
  const job = await client.request<KubeObject>('GET', jobPath(namespace, names.job));
  const configMap = await client.request<{ data: Record<string, string> }>(
    'GET',
    configMapPath(namespace, names.configMap),
  );
  return { stored, job, configMap };
}

const agentImage = (job: KubeObject) =>
  (
    job.spec as { template: { spec: { initContainers: { name: string; image: string }[] } } }
  ).template.spec.initContainers.find((c) => c.name === 'agent')?.image;

t.test(
  'a config change applies to new runs; an invalid one is refused and the last good stays',
  async (t) => {
    const { client, namespace, configFile, logs, metric } = await reloadingOperator(t);
    const before = await runTask(client, namespace, 1);
    t.equal(agentImage(before.job), 'ghcr.io/5dlabs/orchestrator-agent:0.1.0');

    replace(configFile, (text) =>
      text.replaceAll(
        'ghcr.io/5dlabs/orchestrator-agent:0.1.0',
        'ghcr.io/5dlabs/orchestrator-agent:reloaded',
      ),
    );
    await waitFor('the config reloaded', async () => (await metric('reloads_total', 'config')) === 1);
    t.ok(
      logs.some((l) => l.msg === 'controller config reloaded'),
      'logged',
    );
    const after = await runTask(client, namespace, 2);
    t.notOk(after.stored.spec.image, 'no image in the stored spec: the reconciler defaulted it');
    t.equal(
      agentImage(after.job),
      'ghcr.io/5dlabs/orchestrator-agent:reloaded',
      'the new run has the new image',
    );
    const old = await client.request<KubeObject>(
      'GET',
      jobPath(namespace, String(before.job.metadata?.name)),
    );
    t.equal(agentImage(old), 'ghcr.io/5dlabs/orchestrator-agent:0.1.0', 'the existing Job is untouched');
    // Its status moves with its pod (the Job controller's); its spec is the same (generation 1).
    t.equal(old.metadata?.generation, before.job.metadata?.generation, 'the existing Job spec is untouched');

    replace(configFile, (text) =>
      text.replace('defaultAgent: rex', 'defaultAgent: nobody').replaceAll(':reloaded', ':refused'),
    );
    await waitFor(
      'the bad config refused',
      async () => (await metric('reload_errors_total', 'config')) === 1,
    );
    t.equal(await metric('last_reload_successful', 'config'), 0);
    t.match(
      logs.find((l) => l.msg === 'controller config rejected; the last good one stays'),
      { level: 50, err: /defaultAgent/ },
      'an error line that names the field',
    );
    const third = await runTask(client, namespace, 3);
    t.equal(
      agentImage(third.job),
      'ghcr.io/5dlabs/orchestrator-agent:reloaded',
      'the last good config stays',
    );
    t.equal(await metric('reload_errors_total', 'config'), 1, 'the same bad file is reported once');
    t.equal(await metric('reloads_total', 'templates'), 0, 'the templates did not change');
  },
);

t.test(
  'a template change applies to new runs; a broken one is refused and the last good set stays',
  async (t) => {
    const { client, namespace, templateDir, logs, metric } = await reloadingOperator(t);
    const before = await runTask(client, namespace, 1);
    t.notMatch(before.configMap.data['coding-guidelines.md'], /Reloaded rule/);

    replace(join(templateDir, GUIDELINES), (text) => `${text}\n- Reloaded rule.\n`);
    await waitFor('the templates reloaded', async () => (await metric('reloads_total', 'templates')) === 1);
    t.ok(
      logs.some((l) => l.msg === 'run templates reloaded'),
      'logged',
    );
    const after = await runTask(client, namespace, 2);
    t.match(
      after.configMap.data['coding-guidelines.md'],
      /- Reloaded rule\./,
      'the new run has the new text',
    );
    const old = await client.request<{ data: Record<string, string> }>(
      'GET',
      configMapPath(namespace, (await attemptNames(client, namespace, 'TaskRun', 'pay-1')).configMap),
    );
    t.same(old.data, before.configMap.data, "the existing run's ConfigMap is untouched");

    replace(join(templateDir, GUIDELINES), (text) => `${text}\n- Broken rule {{no.such.value}}\n`);
    await waitFor(
      'the bad templates refused',
      async () => (await metric('reload_errors_total', 'templates')) === 1,
    );
    t.equal(await metric('last_reload_successful', 'templates'), 0);
    t.match(
      logs.find((l) => l.msg === 'run templates rejected; the last good set stays'),
      { level: 50, err: /coding-guidelines\.md\.hbs/ },
      'an error line that names the template',
    );
    const third = await runTask(client, namespace, 3);
    t.match(third.configMap.data['coding-guidelines.md'], /- Reloaded rule\./, 'the last good set stays');
    t.notMatch(third.configMap.data['coding-guidelines.md'], /Broken rule/);
    t.equal(await metric('reloads_total', 'config'), 0, 'the config did not change');
  },
);
