// Every name the apiserver accepts works: runs named with 70 and with 253 characters (a label value
// holds 63) are reconciled, run, succeed and are deleted like short ones, their objects found by the
// bounded `orchestrator.io/run` label that every selector uses.
import t from 'tap';
import { LABELS, type TaskRun } from '../../src/api/index.js';
import { runLabelValue } from '../../src/naming/names.js';
import {
  configMapPath,
  finishJob,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  taskRunJob,
  taskRunPath,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

/** A DNS subdomain of exactly `length` characters. */
const longName = (length: number, tag: string) => {
  const body = `${tag}.${'segment-of-a-long-name.'.repeat(12)}`;
  return `${body.slice(0, length - 1).replace(/[-.]+$/, '')}x`.padEnd(length, 'x');
};

t.test('runs named with 70 and 253 characters succeed and are deleted', async (t) => {
  const { namespace, client } = await suite.start(t);
  const names = [longName(70, 'seventy'), longName(253, 'max')];
  t.same(
    names.map((n) => n.length),
    [70, 253],
  );
  for (const [i, name] of names.entries())
    await client.request('POST', taskRunPath(namespace), {
      body: sampleTaskRun(name, 40 + i, { workspace: { pvcName: `workspace-long-${i}` } }),
    });
  const get = (name: string) => client.request<TaskRun>('GET', taskRunPath(namespace, name));
  for (const name of names) {
    await waitFor(`${name.slice(0, 12)}… Running`, async () => (await get(name)).status?.phase === 'Running');
    await finishJob(client, namespace, await taskRunJob(client, namespace, name), 'Complete');
    await waitFor(
      `${name.slice(0, 12)}… Succeeded`,
      async () => (await get(name)).status?.phase === 'Succeeded',
    );
    const query = { labelSelector: `${LABELS.run}=${runLabelValue(name)}` };
    const count = async (path: string) =>
      (await client.request<{ items: unknown[] }>('GET', path, { query })).items.length;
    t.equal(
      await count(jobPath(namespace)),
      1,
      `${name.length} characters: its Job carries the bounded label`,
    );
    t.equal(await count(configMapPath(namespace)), 1, `${name.length} characters: so does its ConfigMap`);
    await client.request('DELETE', taskRunPath(namespace, name));
    await waitFor(`${name.slice(0, 12)}… deleted`, async () => (await httpStatusOf(get(name))) === 404);
    t.equal(await count(jobPath(namespace)), 0, `${name.length} characters: its Job was cleaned up`);
    t.equal(await count(configMapPath(namespace)), 0, `${name.length} characters: its ConfigMap too`);
  }
});
