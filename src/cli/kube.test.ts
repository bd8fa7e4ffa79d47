// The connection errors a user meets first, without a cluster: nothing listening at the kubeconfig's
// server, a context that does not exist. (CRDs missing is tested against a real apiserver in
// test/integration/cli-install.test.ts.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { freePort } from '../util/free-port.js';
import { kubectlArgv } from './install.js';
import { main } from './main.js';

async function kubeconfigAt(server: string, namespace?: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-kube-')), 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', ...(namespace ? { namespace } : {}) } }],
      'current-context': 'ctx',
    }),
  );
  return file;
}

t.test('no cluster answering: the server, the cause and what to try', async (t) => {
  const server = `https://127.0.0.1:${await freePort()}`;
  const kubeconfig = await kubeconfigAt(server);
  for (const args of [['get'], ['describe', 'otr', 'x'], ['task', 'submit', '-f', '-'], ['install']]) {
    const io = memoryIO({
      stdin: 'apiVersion: orchestrator.io/v1\nkind: DocsRun\nmetadata: {name: d}\nspec: {}\n',
    });
    const code = await main(['node', 'orchestrator', ...args, '--kubeconfig', kubeconfig], io);
    t.equal(code, 1, args.join(' '));
    t.match(
      io.stderr(),
      `error: cannot reach the cluster at ${server}: connect ECONNREFUSED`,
      args.join(' '),
    );
    t.match(io.stderr(), '(is KUBECONFIG right? try `orchestrator cluster up`)');
  }
});

t.test('KUBECONFIG is read like kubectl, and an unknown --context is named', async (t) => {
  const server = `https://127.0.0.1:${await freePort()}`;
  const before = process.env.KUBECONFIG;
  process.env.KUBECONFIG = await kubeconfigAt(server, 'team-a');
  t.teardown(() => {
    if (before === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = before;
  });
  const io = memoryIO();
  t.equal(await main(['node', 'orchestrator', 'get', 'ocr'], io), 1);
  t.match(io.stderr(), `cannot reach the cluster at ${server}`);
  const unreadable = memoryIO();
  t.equal(await main(['node', 'orchestrator', 'get', '--kubeconfig', '/nonexistent/config'], unreadable), 1);
  t.match(
    unreadable.stderr(),
    /^error: cannot load the kubeconfig: ENOENT.*\/nonexistent\/config.*\(is KUBECONFIG right\?/,
  );
  const wrong = memoryIO();
  t.equal(await main(['node', 'orchestrator', 'get', '--context', 'nope'], wrong), 1);
  t.match(wrong.stderr(), 'error: context "nope" is not in the kubeconfig (known: ctx)');
});

t.test(
  'the kubectl of install: ORCHESTRATOR_KUBECTL (a command line or JSON argv) and the context flags',
  async (t) => {
    t.same(kubectlArgv({}, {}), ['kubectl', '--request-timeout=30s']);
    t.same(kubectlArgv({ kubeconfig: '/k', context: 'c' }, { ORCHESTRATOR_KUBECTL: '/bin/cp kubectl' }), [
      '/bin/cp',
      'kubectl',
      '--kubeconfig=/k',
      '--context=c',
      '--request-timeout=30s',
    ]);
    t.same(kubectlArgv({}, { ORCHESTRATOR_KUBECTL: '["/a b/kubectl"]' }).slice(0, 1), ['/a b/kubectl']);
  },
);
