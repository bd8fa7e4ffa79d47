// `orchestrator __complete`, which the completion scripts call for what only the cluster knows, against
// a real apiserver: a kind's run names in the namespace the line names, `kind/` words, and -n's
// namespaces. The scripts' side (bash, zsh): src/cli/completion.test.ts.
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../harness/fakes/cli-io.js';
import { sampleTaskRun, taskRunPath } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';

const suite = await reconcileSuite();
const { cluster } = suite;

/** The candidates for a command line (the words after `orchestrator`, the last being typed). */
async function offered(words: string[]): Promise<string[]> {
  const io = memoryIO();
  const code = await main(['node', 'orchestrator', '__complete', '--', ...words], io);
  if (code !== 0 || io.stderr()) throw new Error(`__complete ${words.join(' ')}: ${code} ${io.stderr()}`);
  return io.stdout().split('\n').filter(Boolean).sort();
}

t.test("a kind's runs in the line's namespace, by name or as kind/name", async (t) => {
  const namespace = await suite.namespace(t);
  const other = await suite.namespace(t);
  const client = suite.admin(t);
  for (const [ns, name] of [
    [namespace, 'payments-1'],
    [namespace, 'payments-2'],
    [other, 'search-1'],
  ] as const)
    await client.request('POST', taskRunPath(ns), { body: sampleTaskRun(name, 1) });
  const at = ['--kubeconfig', cluster.kubeconfig, '-n', namespace];
  t.same(await offered(['describe', ...at, 'taskrun', '']), ['payments-1', 'payments-2']);
  t.same(await offered(['logs', ...at, 'otr', 'pay']), ['payments-1', 'payments-2'], 'a short name');
  t.same(await offered(['get', '--kubeconfig', cluster.kubeconfig, `--namespace=${other}`, 'taskruns', '']), [
    'search-1',
  ]);
  t.same(await offered(['cancel', ...at, 'taskrun/']), ['taskrun/payments-1', 'taskrun/payments-2']);
  const split = ['--kubeconfig', cluster.kubeconfig, '--namespace', '=', other];
  t.same(await offered(['describe', ...split, 'otr', '']), ['search-1'], "bash's words: split at the =");
  t.same(await offered(['describe', ...at, 'coderun', '']), [], 'no run of that kind');
  const namespaces = await offered(['get', '--kubeconfig', cluster.kubeconfig, '-n', '']);
  t.ok(namespaces.includes(namespace) && namespaces.includes(other), "-n's value: the namespaces");
});
