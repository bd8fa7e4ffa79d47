// The apiserver itself (the CRDs' CEL rule, no webhook) holds CodeRuns and DocsRuns to exactly one of
// spec.githubApp and spec.githubUser.
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import t from 'tap';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';

const cluster = await testCluster();
await ensureCrds(cluster);
const api = kubeConfig(cluster).makeApiClient(CustomObjectsApi);

type Obj = Record<string, unknown>;
const SPECS: Record<string, { plural: string; spec: Obj }> = {
  CodeRun: {
    plural: 'coderuns',
    spec: {
      taskId: 1,
      service: 'trader',
      repositoryUrl: 'git@github.com:5dlabs/platform.git',
      docsRepositoryUrl: 'https://github.com/5dlabs/platform',
    },
  },
  DocsRun: {
    plural: 'docsruns',
    spec: { repositoryUrl: 'https://github.com/5dlabs/platform', workingDirectory: '_projects/trader' },
  },
};

async function create(namespace: string, kind: string, name: string, identity: Obj): Promise<string> {
  const { plural, spec } = SPECS[kind] as { plural: string; spec: Obj };
  const body = { apiVersion: 'orchestrator.io/v1', kind, metadata: { name }, spec: { ...spec, ...identity } };
  try {
    await api.createNamespacedCustomObject({
      group: 'orchestrator.io',
      version: 'v1',
      plural,
      namespace,
      body,
    });
    return 'created';
  } catch (err) {
    if (err instanceof ApiException) return `${err.code} ${JSON.parse(err.body as string).message}`;
    throw err;
  }
}

for (const kind of Object.keys(SPECS)) {
  t.test(`${kind}: a GitHub App or a GitHub user, never both or neither`, async (t) => {
    const ns = await testNamespace(t, cluster);
    t.equal(await create(ns, kind, 'app', { githubApp: '5DLabs-Rex' }), 'created');
    t.equal(await create(ns, kind, 'user', { githubUser: 'swe-1-5dlabs' }), 'created');
    const rule =
      /^422 .*spec: Invalid value: set exactly one of spec\.githubApp \(a GitHub App, preferred\) and spec\.githubUser/;
    t.match(await create(ns, kind, 'both', { githubApp: '5DLabs-Rex', githubUser: 'swe-1-5dlabs' }), rule);
    t.match(await create(ns, kind, 'neither', {}), rule);
  });
}
